package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Opens sparktrain's pages (report.html, compare.html) in headless Chromium, as a user would. */
final class HeadlessChromium {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final String MISSING = CHROMIUM + " is missing, so pages are not checked in a browser; "
      + ".ci/run installs it (apt-get install chromium)";
  private static final long BROWSER_TIMEOUT_S = 90;
  /**
   * What --enable-logging=stderr prints for every console message and uncaught exception,
   * whatever its level: "[pid:tid:date/time:INFO:CONSOLE:12] "message", source: ..." (older
   * Chromium: "CONSOLE(12)"). The pages log nothing, so any such line is a failure.
   */
  private static final Pattern CONSOLE_LINE = Pattern.compile("^\\[[^\\]]*:CONSOLE[:(].*$",
      Pattern.MULTILINE);
  private static final Pattern FIGURE = Pattern.compile("<figure [^>]*>");

  /** What the browser printed and the DOM after the page's scripts ran. */
  record Page(String dom, List<String> consoleLines) {}

  private HeadlessChromium() {}

  static boolean available() {
    return Files.isExecutable(CHROMIUM);
  }

  /**
   * Loads the page in a fresh profile (under {@code work}) with everything that could reach the
   * network turned off; virtual time lets the scripts finish without waiting in real time.
   */
  static Page open(Path html, Path work) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(work, "chromium-profile");
    Path stdout = work.resolve(html.getFileName() + ".dom");
    Path stderr = work.resolve(html.getFileName() + ".stderr");
    List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless",
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=5000", "--dump-dom", html.toUri().toString()));
    Process browser = new ProcessBuilder(command).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile()).start();
    if (!browser.waitFor(BROWSER_TIMEOUT_S, TimeUnit.SECONDS)) {
      browser.destroyForcibly().waitFor();
      throw new AssertionError("chromium did not finish within " + BROWSER_TIMEOUT_S
          + " s; its log: " + Files.readString(stderr));
    }
    String log = Files.readString(stderr);
    assertThat(browser.exitValue()).as("chromium exit code; its log:%n%s", log).isZero();
    List<String> console = new ArrayList<>();
    CONSOLE_LINE.matcher(log).results().forEach(r -> console.add(r.group()));
    return new Page(Files.readString(stdout), console);
  }

  /** Chart title to its data-points attribute, for every chart figure in the DOM. */
  static Map<String, Integer> chartPoints(String dom) {
    Map<String, Integer> points = new LinkedHashMap<>();
    Matcher figure = FIGURE.matcher(dom);
    while (figure.find()) {
      String tag = figure.group();
      points.put(attribute(tag, "data-chart"), Integer.parseInt(attribute(tag, "data-points")));
    }
    return points;
  }

  static String attribute(String tag, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag);
    assertThat(m.find()).as("%s in %s", name, tag).isTrue();
    return m.group(1);
  }
}
