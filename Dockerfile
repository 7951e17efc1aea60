# syntax=docker/dockerfile:1
# Partwarden as a sidecar: built with Maven, run on a JRE as an unprivileged user, from the
# jar's extracted layers with an ahead-of-time cache made by a training run, so that it starts
# in a fraction of plain java -jar's time and idles small (docs/benchmarks.md, bench/startup.sh).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
# Tests need PostgreSQL; CI runs them (bash .ci/run). The image only packages.
RUN mvn -B -q -DskipTests package \
 && java -Djarmode=tools -jar target/partwarden.jar extract --layers --destination /extracted

# Code compiled for Java 17 runs on a Java 25 runtime: its ahead-of-time cache (JEP 483/514)
# holds classes loaded and linked, and method profiles, from a training run, which a class data
# sharing archive of 17 cannot (docs/benchmarks.md).
FROM eclipse-temurin:25-jre AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin partwarden
WORKDIR /app
# One image layer per jar layer: dependencies change rarely, the application often. Together
# they make /app/partwarden.jar with its libraries in /app/lib, which the AOT cache needs
# (it holds classes from jar files only, and checks the class path at run time).
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
# Sized for a sidecar (start-up and footprint over peak throughput: it runs a few queries a
# day): heap from the container's memory limit; one JIT tier; the serial
# collector; small thread stacks. The training run below uses the same flags, as the AOT cache
# requires of the runs that use it. ArchiveRelocationMode=0 maps the cache at the address it was
# made for instead of a random one: its read-only half then stays clean page cache, shared and
# reclaimable, instead of ~25 MB of the container's memory rewritten by the relocation
# (docs/benchmarks.md).
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=60 -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
# Training run for the AOT cache: the context refreshes, then exits. The database steps run
# after the refresh, so no database is needed; the cache is written as the JVM exits.
RUN java -XX:AOTCacheOutput=/app/partwarden.aot -Dspring.context.exit=onRefresh -jar /app/partwarden.jar \
      --spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none > /tmp/training.log 2>&1; \
    test -s /app/partwarden.aot || { cat /tmp/training.log; exit 1; }; rm /tmp/training.log
ENV JAVA_TOOL_OPTIONS="-XX:AOTCache=/app/partwarden.aot"
# The archive volume's mount point, owned by the service's user and closed to everyone else (archives
# hold every tenant's rows): a named volume mounted here takes this ownership and mode, so
# on-retire: archive can write without a chown at run time.
RUN mkdir -p /var/lib/partwarden/archive && chown 10001 /var/lib/partwarden/archive && chmod 0700 /var/lib/partwarden/archive
USER 10001
EXPOSE 9470
# Liveness only: the process and its scheduler are alive (see "Probes" in the README).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9470/actuator/health/liveness"]
ENTRYPOINT ["java", "-jar", "/app/partwarden.jar"]
# No argument: the daemon. --once for a CronJob, --dry-run or --verify for an operator.
CMD []
