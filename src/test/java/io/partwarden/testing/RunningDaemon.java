package io.partwarden.testing;

import io.partwarden.PartwardenApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.springframework.context.ConfigurableApplicationContext;

/** The service started as the daemon, in this JVM, on a free port. */
public final class RunningDaemon implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningDaemon(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    public static RunningDaemon on(String jdbcUrl, String user, String password, String... settings) {
        List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=" + user, "--spring.datasource.password=" + password));
        args.addAll(List.of(settings));
        return withArgs(args.toArray(String[]::new));
    }

    /** The daemon from this command line, on a free port. */
    public static RunningDaemon withArgs(String... commandLine) {
        List<String> args = new ArrayList<>(List.of(commandLine));
        args.add("--server.port=0");
        String[] all = args.toArray(String[]::new);
        return new RunningDaemon(PartwardenApplication.application(all).run(all));
    }

    public String property(String name) {
        return context.getEnvironment().getRequiredProperty(name);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + ": " + e, e);
        }
    }

    public Scrape scrape() {
        return Scrape.parse(get("/actuator/prometheus").body());
    }

    /** Polls until the condition holds, or fails after {@code within}. */
    public static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + within + " waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
