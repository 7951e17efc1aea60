package io.partwarden.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One Prometheus text scrape, parsed into series: name, labels, value. */
public record Scrape(List<Series> series) {

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    public record Series(String name, Map<String, String> labels, double value) {
    }

    public static Scrape parse(String text) {
        List<Series> series = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher label = LABEL.matcher(m.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            series.add(new Series(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return new Scrape(series);
    }

    /** The value of the one series of that name carrying these labels (and maybe others). */
    public Optional<Double> value(String name, String... labelPairs) {
        return find(name, labelPairs).stream().findFirst().map(Series::value);
    }

    public List<Series> find(String name, String... labelPairs) {
        List<Series> found = new ArrayList<>();
        for (Series s : series) {
            boolean matches = s.name().equals(name);
            for (int i = 0; matches && i < labelPairs.length; i += 2) {
                matches = labelPairs[i + 1].equals(s.labels().get(labelPairs[i]));
            }
            if (matches) {
                found.add(s);
            }
        }
        return found;
    }
}
