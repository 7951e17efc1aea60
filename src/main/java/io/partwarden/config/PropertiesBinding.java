package io.partwarden.config;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.env.Environment;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * Binds {@code partwarden.*} and validates it as the application context does (the same binder,
 * conversions, defaults and constraints), and says what is wrong in the README's words: the
 * property, the value given and what is allowed.
 */
public final class PropertiesBinding {

    private static final ValidatorFactory VALIDATION = Validation.buildDefaultValidatorFactory();

    private PropertiesBinding() {
    }

    /** The properties the environment gives; {@link InvalidConfigurationException} naming each problem otherwise. */
    public static PartwardenProperties bind(Environment environment) {
        return bind(Binder.get(environment));
    }

    /** As {@link #bind(Environment)}, from these sources only (no placeholders resolved). */
    public static PartwardenProperties bind(Iterable<ConfigurationPropertySource> sources) {
        return bind(new Binder(sources));
    }

    static PartwardenProperties bind(Binder binder) {
        try {
            return binder.bindOrCreate("partwarden", Bindable.of(PartwardenProperties.class),
                    new ValidationBindHandler(new SpringValidatorAdapter(VALIDATION.getValidator())));
        } catch (BindException e) {
            throw new InvalidConfigurationException(problems(e), e);
        }
    }

    static List<String> problems(BindException failure) {
        BindValidationException invalid = cause(failure, BindValidationException.class);
        if (invalid != null) {
            List<String> problems = new ArrayList<>();
            for (ObjectError error : invalid.getValidationErrors().getAllErrors()) {
                problems.add(error instanceof FieldError field
                        ? field.getObjectName() + "." + dashed(field.getField()) + ": " + field.getDefaultMessage()
                                + " (given: " + field.getRejectedValue() + ")"
                        : error.getObjectName() + ": " + error.getDefaultMessage());
            }
            return problems;
        }
        UnboundConfigurationPropertiesException unbound = cause(failure, UnboundConfigurationPropertiesException.class);
        if (unbound != null) {
            // a list read from index 0 up to the first gap: what lies after the gap is never read
            return unbound.getUnboundProperties().stream().map(p -> p.getName() + ": not read: " + failure.getName()
                    + " is a list numbered from 0 without gaps, and an entry before this one is not given"
                    + (failure.getName().toString().equals("partwarden.tables")
                            ? " (to keep the first table, " + "{events-schema}.workflow_events, give partwarden.tables[0].name)"
                            : "")).toList();
        }
        ConfigurationProperty property = failure.getProperty();
        if (cause(failure, ConversionException.class) != null && property != null) {
            return List.of(failure.getName() + ": '" + property.getValue() + "' " + allowed(failure.getTarget().getType().resolve()));
        }
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        // our own checks (PartwardenProperties) name the property themselves
        String message = root.getMessage() != null ? root.getMessage() : root.toString();
        return List.of(message.startsWith("partwarden.") ? message : failure.getName() + ": " + message);
    }

    /** What a value of this type may be, in the README's words. */
    static String allowed(Class<?> type) {
        if (type == null) {
            return "is not valid here";
        }
        if (type.isEnum()) {
            @SuppressWarnings("unchecked")
            Class<? extends Enum<?>> values = (Class<? extends Enum<?>>) type;
            return "is not one of " + Spelling.values(values);
        }
        if (type == Period.class) {
            return "is not a period; write it as " + Spelling.PERIOD_FORMS;
        }
        if (type == Duration.class) {
            return "is not a duration; write it as " + Spelling.DURATION_FORMS;
        }
        if (type == ZoneId.class) {
            return "is not a time zone; e.g. UTC, Europe/Berlin or +02:00";
        }
        if (type == int.class || type == Integer.class) {
            return "is not a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "is neither true nor false";
        }
        if (type == Path.class) {
            return "is not a path";
        }
        return "is not a valid " + type.getSimpleName();
    }

    private static String dashed(String field) {
        return field.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
