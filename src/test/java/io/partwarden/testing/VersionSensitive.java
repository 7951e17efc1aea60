package io.partwarden.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class whose outcome may depend on the PostgreSQL major it runs against: it reads the
 * catalog (constraints, attributes, privileges), converts or adopts a table, makes partitions,
 * detaches them concurrently, restores, or calls the SQL API. CI runs the whole suite on 15 and
 * 18 and only these classes on 14, 16 and 17 ({@code mvn surefire:test -Dgroups=version-sensitive};
 * README, section PostgreSQL versions). Put it on a new class that touches any of those; where the
 * rest of a class is slow and depends on no version (DisposalContract's crash runs), on just the
 * methods that do.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Tag("version-sensitive")
public @interface VersionSensitive {
}
