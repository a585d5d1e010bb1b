package dev.cutover.observe;

import dev.cutover.api.Release;
import java.util.Map;
import java.util.Optional;

/**
 * What people asked of a Release outside its spec, read from its annotations (so that a spec
 * owned by a GitOps controller is never edited): give up the staged version
 * ({@link Release#ABORT_ANNOTATION}, naming the generation aborted) and stage it again after a
 * failure ({@link Release#RETRY_ANNOTATION}, an opaque token). {@code decide} says what they
 * mean.
 *
 * @param abort the abort annotation as written, or null
 * @param retry the retry token, or null
 */
public record Requests(String abort, String retry) {

  public static final Requests NONE = new Requests(null, null);

  /** The requests the Release's annotations carry (blank values count as absent). */
  public static Requests of(Release release) {
    Map<String, String> annotations = release.getMetadata() == null ? null
        : release.getMetadata().getAnnotations();
    if (annotations == null) {
      return NONE;
    }
    return new Requests(present(annotations.get(Release.ABORT_ANNOTATION)),
        present(annotations.get(Release.RETRY_ANNOTATION)));
  }

  /** The generation the abort names; empty without one, or when it is not a whole number. */
  public Optional<Long> abortedGeneration() {
    if (abort == null || !abort.matches("[0-9]{1,18}")) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(abort));
  }

  /** An abort annotation is there but names no generation (bad input, reported). */
  public boolean abortUnreadable() {
    return abort != null && abortedGeneration().isEmpty();
  }

  private static String present(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
