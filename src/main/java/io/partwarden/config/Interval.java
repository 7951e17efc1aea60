package io.partwarden.config;

/** How much time one partition holds. Configured in lower case: {@code day}, {@code week}, ... */
public enum Interval {
    DAY, WEEK, MONTH, QUARTER, YEAR
}
