package net.ipsecgw.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import net.ipsecgw.core.linux.CpuAffinity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The console in headless Chromium: log in, see both demo tunnels established with the fallback Child
 * SA and one per lane, watch the per-lane chart change, terminate and re-initiate a tunnel (it comes
 * back with its SAs), create a connection with a bad field and see the error on that field, then a
 * valid one and see it saved (in the table and in the file) and running.
 * Saves screenshots of the dashboard and the connection pages into docs/screenshots.
 *
 * <p>Behind the console runs the real demo: gateways {@code a} and {@code b} in this JVM over loopback,
 * IKEv2 with one Child SA per lane, traffic generators on every lane. Skips with the reason when
 * Chromium is missing, except under {@code CI=true}, where it fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("demo")
class ConsoleBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String PASSWORD = "browser-test-password";
    static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");
    static Path state;
    static WebDriver browser;
    static Path profile;

    /** One lane per CPU this process may run on, as the demo's gateways pin them. */
    static int lanes() {
        return CpuAffinity.currentThreadCpus().cardinality();
    }

    static List<String> laneNames() {
        List<String> names = new java.util.ArrayList<>(List.of("fallback"));
        IntStream.range(0, lanes()).forEach(lane -> names.add(Integer.toString(lane)));
        return names;
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        state = Files.createTempDirectory("browser-state");
        registry.add("appliance.state-directory", state::toString);
        registry.add("console.initial-password", () -> PASSWORD);
        registry.add("console.chart.interval", () -> "250ms");
        DemoPorts.pick().register(registry);
    }

    @BeforeAll
    static void chromium() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: .ci/run installs chromium and chromium-driver");
        }
        Assumptions.assumeTrue(
                present,
                "browser test skipped: install Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + ")");
        profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,1100",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    @LocalServerPort
    int port;

    private WebDriverWait waiting() {
        // the pages re-render their tables every two seconds: an element may go stale between two looks
        return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = ((org.openqa.selenium.TakesScreenshot) browser)
                .getScreenshotAs(OutputType.FILE)
                .toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Clicks a button inside a table the page re-renders: a row replaced between the look-up and the
     * click makes the element stale, and the click did not happen, so it is looked up again.
     */
    private void clickInTable(By button) {
        waiting().until(d -> {
            d.findElement(button).click();
            return true;
        });
    }

    private String tunnelState(String name) {
        return browser.findElement(By.cssSelector("tr[data-tunnel='" + name + "'] .badge"))
                .getText();
    }

    @Test
    void operatorScenario() throws Exception {
        browser.get(url("/"));
        waiting().until(d -> d.getCurrentUrl().endsWith("/login"));
        browser.findElement(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login")).click();

        waitUntilEstablishedWithEveryLane("demo-ab");
        waitUntilEstablishedWithEveryLane("demo-ba");

        WebElement chart = browser.findElement(By.id("load"));
        waiting()
                .until(d -> Integer.parseInt(
                                chart.getDomAttribute("data-samples") == null
                                        ? "0"
                                        : chart.getDomAttribute("data-samples"))
                        >= 4);
        assertThat(chart.getDomAttribute("data-lanes")).isEqualTo(Integer.toString(2 * lanes()));
        String before = canvas(chart);
        waiting().until(d -> !canvas(chart).equals(before));
        waiting().until(d -> d.findElements(By.cssSelector("#lanes tbody tr")).size() == 2 * lanes());
        Thread.sleep(8000); // a few seconds of history on the chart for the screenshot
        screenshot("dashboard.png");

        clickInTable(By.id("terminate-demo-ab"));
        waiting().until(d -> tunnelState("demo-ab").equals("down"));
        clickInTable(By.id("initiate-demo-ab"));
        waitUntilEstablishedWithEveryLane("demo-ab");

        connections();
    }

    /**
     * The tunnel's row says established, with the fallback Child SA and an SA on every lane, in lane
     * order (a lane may have two when the responder added its own, as RFC 9611 allows).
     */
    private void waitUntilEstablishedWithEveryLane(String tunnel) {
        waiting()
                .until(d -> !d.findElements(By.cssSelector("tr[data-tunnel='" + tunnel + "'] .badge"))
                                .isEmpty()
                        && tunnelState(tunnel).equals("established")
                        && childSaLanes(tunnel).stream().distinct().toList().equals(laneNames()));
    }

    private List<String> childSaLanes(String tunnel) {
        return browser.findElements(By.cssSelector("tr[data-childsas='" + tunnel + "'] .childsas tbody tr")).stream()
                .map(row -> row.findElement(By.tagName("td")).getText())
                .toList();
    }

    private String canvas(WebElement chart) {
        return (String) ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return arguments[0].toDataURL();", chart);
    }

    private void connections() throws Exception {
        browser.get(url("/connections"));
        waiting().until(d -> !d.findElements(By.cssSelector("tr[data-connection='demo-ab']"))
                .isEmpty());
        browser.findElement(By.id("new")).click();
        type("f-name", "branch-c");
        type("f-remote-address", "192.0.2.300");
        type("f-psk", "a-branch-pre-shared-key");
        type("f-local-ts", "10.201.1.0/24");
        type("f-remote-ts", "10.203.0.0/16, 10.204.0.0/16");
        browser.findElement(By.id("save")).click();
        WebElement error = browser.findElement(By.id("error-remote-address"));
        waiting().until(d -> !error.getText().isEmpty());
        assertThat(error.getText()).contains("neither an IP address");
        assertThat(browser.findElement(By.id("f-remote-address")).getDomAttribute("class"))
                .contains("invalid");
        screenshot("connection-error.png");

        WebElement address = browser.findElement(By.id("f-remote-address"));
        address.clear();
        address.sendKeys("192.0.2.33");
        browser.findElement(By.id("save")).click();
        waiting().until(d -> !d.findElements(By.cssSelector("tr[data-connection='branch-c']"))
                .isEmpty());
        assertThat(browser.findElement(By.id("result")).getText())
                .isEqualTo("Saved connection branch-c; the gateway runs it.");
        assertThat(Files.readString(state.resolve("connections.yml")))
                .contains("name: branch-c")
                .contains("192.0.2.33")
                .doesNotContain("a-branch-pre-shared-key");
        screenshot("connections.png");

        // the gateway now runs branch-c (down: nobody answers at 192.0.2.33) beside demo-ab
        browser.get(url("/"));
        waitUntilEstablishedWithEveryLane("demo-ab");
        waiting()
                .until(d -> !d.findElements(By.cssSelector("tr[data-tunnel='branch-c'] .badge"))
                                .isEmpty()
                        && tunnelState("branch-c").equals("down"));
    }

    private void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }
}
