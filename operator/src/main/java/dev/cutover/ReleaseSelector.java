package dev.cutover;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector in its string form, as {@code kubectl get -l} and the API server's
 * {@code labelSelector} parameter take it: requirements separated by commas, each one of
 * {@code key=value} ({@code ==} too), {@code key!=value}, {@code key in (a,b)},
 * {@code key notin (a,b)}, {@code key} (the label exists) and {@code !key} (it does not). Every
 * requirement must hold. Parsed at start, so a typo stops the operator with a message instead of
 * an informer that the API server refuses; the same selector is matched here before each EC2
 * call that changes something, so a Release relabelled away is not acted on once more.
 */
public final class ReleaseSelector {

  /** One requirement on one label. */
  public record Requirement(String key, Operator operator, Set<String> values) {

    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case EXISTS -> value != null;
        case DOES_NOT_EXIST -> value == null;
        case EQUALS, IN -> value != null && values.contains(value);
        case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
      };
    }

    @Override
    public String toString() {
      String first = values.isEmpty() ? "" : values.iterator().next();
      return switch (operator) {
        case EXISTS -> key;
        case DOES_NOT_EXIST -> "!" + key;
        case EQUALS -> key + "=" + first;
        case NOT_EQUALS -> key + "!=" + first;
        case IN -> key + " in (" + String.join(",", values) + ")";
        case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
      };
    }
  }

  public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

  private static final String NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final String PREFIX = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
      + "[a-z0-9])?)*";
  private static final String VALUE = "(" + NAME + ")?";

  private final List<Requirement> requirements;

  private ReleaseSelector(List<Requirement> requirements) {
    this.requirements = List.copyOf(requirements);
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  /** Whether a Release with these labels (null: none) is selected. */
  public boolean matches(Map<String, String> labels) {
    Map<String, String> present = labels == null ? Map.of() : labels;
    return requirements.stream().allMatch(r -> r.matches(present));
  }

  /** The selector in the form the API server reads, e.g. {@code cutover.dev/shard=a}. */
  @Override
  public String toString() {
    return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ReleaseSelector s && s.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  /**
   * Parses {@code text}; throws IllegalArgumentException with what is wrong and where.
   */
  public static ReleaseSelector parse(String text) {
    List<Requirement> parsed = new ArrayList<>();
    Parser p = new Parser(text);
    p.skipSpaces();
    if (p.atEnd()) {
      throw new IllegalArgumentException("the selector is empty");
    }
    while (true) {
      parsed.add(p.requirement());
      p.skipSpaces();
      if (p.atEnd()) {
        return new ReleaseSelector(parsed);
      }
      p.expect(',');
    }
  }

  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return at >= text.length();
    }

    void skipSpaces() {
      while (!atEnd() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    void expect(char c) {
      skipSpaces();
      if (atEnd() || text.charAt(at) != c) {
        throw error("expected '" + c + "'");
      }
      at++;
    }

    Requirement requirement() {
      skipSpaces();
      if (!atEnd() && text.charAt(at) == '!') {
        at++;
        return new Requirement(key(), Operator.DOES_NOT_EXIST, Set.of());
      }
      String key = key();
      skipSpaces();
      if (atEnd() || text.charAt(at) == ',') {
        return new Requirement(key, Operator.EXISTS, Set.of());
      }
      if (text.startsWith("!=", at)) {
        at += 2;
        return new Requirement(key, Operator.NOT_EQUALS, Set.of(value()));
      }
      if (text.startsWith("==", at)) {
        at += 2;
        return new Requirement(key, Operator.EQUALS, Set.of(value()));
      }
      if (text.charAt(at) == '=') {
        at++;
        return new Requirement(key, Operator.EQUALS, Set.of(value()));
      }
      String word = word();
      if (word.equals("in") || word.equals("notin")) {
        return new Requirement(key, word.equals("in") ? Operator.IN : Operator.NOT_IN,
            set(word));
      }
      throw error("expected =, ==, !=, in or notin after the key " + key
          + (word.isEmpty() ? "" : ", found '" + word + "'"));
    }

    private String key() {
      skipSpaces();
      int start = at;
      while (!atEnd() && !Character.isWhitespace(text.charAt(at))
          && "=!,()".indexOf(text.charAt(at)) < 0) {
        at++;
      }
      String key = text.substring(start, at);
      if (key.isEmpty()) {
        throw error("expected a label key");
      }
      int slash = key.indexOf('/');
      String prefix = slash < 0 ? null : key.substring(0, slash);
      String name = slash < 0 ? key : key.substring(slash + 1);
      if (prefix != null && (prefix.length() > 253 || !prefix.matches(PREFIX))
          || name.length() > 63 || !name.matches(NAME)) {
        throw new IllegalArgumentException("'" + key + "' is not a label key (an optional DNS "
            + "prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and "
            + "ending with a letter or digit)");
      }
      return key;
    }

    private String word() {
      int start = at;
      while (!atEnd() && Character.isLetter(text.charAt(at))) {
        at++;
      }
      return text.substring(start, at);
    }

    private String value() {
      skipSpaces();
      int start = at;
      while (!atEnd() && !Character.isWhitespace(text.charAt(at))
          && ",()".indexOf(text.charAt(at)) < 0) {
        at++;
      }
      return checkedValue(text.substring(start, at));
    }

    private Set<String> set(String operator) {
      expect('(');
      Set<String> values = new TreeSet<>();
      while (true) {
        values.add(value());
        skipSpaces();
        if (!atEnd() && text.charAt(at) == ')') {
          at++;
          break;
        }
        expect(',');
      }
      if (values.equals(Set.of(""))) {
        throw error("'" + operator + "' needs at least one value");
      }
      return values;
    }

    private static String checkedValue(String value) {
      if (value.length() > 63 || !value.matches(VALUE)) {
        throw new IllegalArgumentException("'" + value + "' is not a label value (at most 63 "
            + "letters, digits, '-', '_' or '.', starting and ending with a letter or digit)");
      }
      return value;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at position " + (at + 1));
    }
  }
}
