# Build: the same Maven build as the README, tests skipped (CI runs them against PostgreSQL).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

# Run: a JRE only, as an unprivileged user.
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app partwarden
WORKDIR /app
COPY --from=build /src/target/partwarden.jar /app/partwarden.jar
USER 10001
EXPOSE 9470
# Liveness only: the process and its scheduler are alive (see "Probes" in the README).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:9470/actuator/health/liveness"]
# Sized for a sidecar: heap from the container's memory limit.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", "/app/partwarden.jar"]
# No argument: the daemon. Add --once for a CronJob.
