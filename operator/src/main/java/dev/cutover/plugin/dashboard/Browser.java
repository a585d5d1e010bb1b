package dev.cutover.plugin.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;

/**
 * Opens the page in the user's browser. The token is not put on a command line, where other
 * users of the machine could read it in the process list: the browser is sent to a file,
 * readable by the user only, that redirects to the URL.
 */
final class Browser {

  private Browser() {}

  /** True when a browser was asked to open {@code url}. */
  static boolean open(String url) {
    try {
      Path redirect = redirectFile(url);
      String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
      List<String> command;
      if (os.contains("mac")) {
        command = List.of("open", redirect.toString());
      } else if (os.contains("win")) {
        command = List.of("rundll32", "url.dll,FileProtocolHandler", redirect.toString());
      } else {
        command = List.of("xdg-open", redirect.toString());
      }
      new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static Path redirectFile(String url) throws IOException {
    Path file;
    try {
      file = Files.createTempFile("cutover-dashboard-", ".html",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      file = Files.createTempFile("cutover-dashboard-", ".html");
    }
    file.toFile().deleteOnExit();
    String escaped = url.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    Files.writeString(file, "<!doctype html><meta http-equiv=\"refresh\" content=\"0;url="
        + escaped + "\"><title>Cutover</title><a href=\"" + escaped + "\">Cutover releases</a>\n");
    return file;
  }
}
