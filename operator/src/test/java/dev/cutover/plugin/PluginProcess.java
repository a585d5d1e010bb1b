package dev.cutover.plugin;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * {@code kubectl cutover} run as a process, as kubectl runs a plugin: a JVM of its own with the
 * launcher's flags and class path (the plugin's classes and the jars hack/plugin.sh puts beside
 * them), a kubeconfig in $KUBECONFIG, its exit code, stdout and stderr.
 *
 * <p>The commands start with a class-data archive in target/ that {@link #train} records as
 * {@code make plugin} does, and the training run is tested on the way: a stale or missing
 * archive would only make them slower.
 */
final class PluginProcess {

  /** A finished command. */
  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** The jars of hack/plugin.sh's PLUGIN_JARS, by file name. */
  static final Pattern PLUGIN_JARS = Pattern.compile("(kubernetes-client-\\d.*|"
      + "kubernetes-client-api-.*|kubernetes-httpclient-jdk-.*|kubernetes-model-.*|"
      + "jackson-annotations-.*|jackson-core-.*|jackson-databind-.*|"
      + "jackson-dataformat-yaml-.*|jackson-datatype-jsr310-.*|snakeyaml-\\d.*|"
      + "snakeyaml-engine-.*|slf4j-api-.*|zjsonpatch-.*)\\.jar");

  static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
      "-Xshare:auto", "-XX:-UsePerfData",
      "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
      "-Dslf4j.internal.verbosity=WARN");

  private static final Path ARCHIVE = Path.of("target", "plugin-it.jsa").toAbsolutePath();

  private final Path kubeconfig;
  private final String classPath;

  PluginProcess(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
    this.classPath = String.join(File.pathSeparator, pluginClassPath());
  }

  /** Runs {@code kubectl cutover args...} to its end. */
  Result run(String... args) {
    Process process = start(List.of(args), ProcessBuilder.Redirect.PIPE);
    try {
      var stdout = process.getInputStream();
      var stderr = process.getErrorStream();
      var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(stderr));
      String out = read(stdout);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl cutover " + String.join(" ", args)
            + " did not end within 60 s");
      }
      return new Result(process.exitValue(), out, err.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts {@code kubectl cutover args...} with its stdout going to {@code stdout}. */
  Process start(List<String> args, ProcessBuilder.Redirect stdout) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-XX:SharedArchiveFile=" + ARCHIVE);
    command.add("-Xlog:disable");
    command.add("-Xlog:all=error:stderr");
    command.addAll(List.of("-cp", classPath, KubectlCutover.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout);
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("HOME", System.getProperty("java.io.tmpdir"));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The operator jar and the plugin's jars out of this JVM's class path (which Failsafe may hand over
   * as a jar whose manifest lists it).
   */
  static List<String> pluginClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.addAll(expand(entry));
    }
    List<String> plugin = new ArrayList<>();
    plugin.add(operatorJar().toString());
    for (String entry : entries) {
      if (PLUGIN_JARS.matcher(Path.of(entry).getFileName().toString()).matches()) {
        plugin.add(entry);
      }
    }
    return plugin;
  }

  /**
   * The operator jar Maven packaged before the integration tests (a class-data archive takes
   * classes from jars only, as the launcher's does).
   */
  static Path operatorJar() {
    try (var files = Files.list(Path.of("target"))) {
      return files.filter(f -> f.getFileName().toString().matches("cutover-operator-.*\\.jar"))
          .findFirst().map(Path::toAbsolutePath).orElseThrow(() -> new IllegalStateException(
              "no target/cutover-operator-*.jar: run the integration tests with mvn verify"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Records the class-data archive the commands start with, as {@code make plugin} does: the
   * training run ({@link Rehearsal}) against a loopback TLS server with a key keytool makes for
   * it. Replaces the archive of an earlier run (its jars may have been rebuilt since).
   */
  static void train() {
    try {
      Files.deleteIfExists(ARCHIVE);
      Path keys = Files.createTempDirectory("plugin-rehearsal");
      Path store = keys.resolve("rehearsal.p12");
      Path pem = keys.resolve("rehearsal.pem");
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      exec(List.of(keytool, "-genkeypair", "-alias", "rehearsal", "-keyalg", "RSA", "-keysize",
          "2048", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "1",
          "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "rehearsal",
          "-keypass", "rehearsal"));
      exec(List.of(keytool, "-exportcert", "-rfc", "-alias", "rehearsal", "-keystore",
          store.toString(), "-storepass", "rehearsal", "-file", pem.toString()));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(JVM_FLAGS);
      command.addAll(List.of("-XX:ArchiveClassesAtExit=" + ARCHIVE, "-Xlog:disable", "-cp",
          String.join(File.pathSeparator, pluginClassPath()), Rehearsal.class.getName(),
          store.toString(), pem.toString()));
      exec(command);
      Files.delete(store);
      Files.delete(pem);
      Files.delete(keys);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void exec(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = read(process.getInputStream());
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> expand(String entry) {
    if (!entry.endsWith(".jar") || !Path.of(entry).getFileName().toString()
        .startsWith("surefirebooter")) {
      return List.of(entry);
    }
    try (JarFile jar = new JarFile(entry)) {
      String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
      return Arrays.stream(classPath.trim().split(" +"))
          .map(u -> Path.of(URI.create(u)).toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
