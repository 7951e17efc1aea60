# syntax=docker/dockerfile:1
# Partwarden as a sidecar: built with Maven, run on a JRE as an unprivileged user, from the
# jar's extracted layers with a class data sharing archive made by a training run, so that it
# is healthy in about 5 s and idles in about 150 MB (docs/benchmarks.md, bench/startup.sh).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
# Tests need PostgreSQL; CI runs them (bash .ci/run). The image only packages.
RUN mvn -B -q -DskipTests package \
 && java -Djarmode=tools -jar target/partwarden.jar extract --layers --destination /extracted

FROM eclipse-temurin:17-jre AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin partwarden
WORKDIR /app
# One image layer per jar layer: dependencies change rarely, the application often. Together
# they make /app/partwarden.jar with its libraries in /app/lib, which class data sharing needs
# (it archives classes from jar files only).
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
# Training run for the class data sharing archive: the context refreshes, then exits. No
# database answers here, so the run ends at the migration with an error; the archive is written
# at exit all the same, holding the classes loaded up to there (Spring, Tomcat, JDBC, Flyway).
RUN java -XX:ArchiveClassesAtExit=/app/partwarden.jsa -Dspring.context.exit=onRefresh -jar /app/partwarden.jar \
      --spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none > /tmp/training.log 2>&1; \
    test -s /app/partwarden.jsa && rm /tmp/training.log
# The archive volume's mount point, owned by the service's user and closed to everyone else (archives
# hold every tenant's rows): a named volume mounted here takes this ownership and mode, so
# on-retire: archive can write without a chown at run time.
RUN mkdir -p /var/lib/partwarden/archive && chown 10001 /var/lib/partwarden/archive && chmod 0700 /var/lib/partwarden/archive
USER 10001
EXPOSE 9470
# Sized for a sidecar: heap from the container's memory limit, one JIT tier and the serial
# collector (start-up and footprint over peak throughput: it runs a few queries a day).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:SharedArchiveFile=/app/partwarden.jsa"
# Liveness only: the process and its scheduler are alive (see "Probes" in the README).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9470/actuator/health/liveness"]
ENTRYPOINT ["java", "-jar", "/app/partwarden.jar"]
# No argument: the daemon. --once for a CronJob, --dry-run or --verify for an operator.
CMD []
