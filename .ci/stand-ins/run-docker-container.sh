#!/bin/sh
# The official image's entrypoint, by its name: the settings docker-compose.yml gives it, passed to S3Proxy as it passes them
mkdir -p "$JCLOUDS_FILESYSTEM_BASEDIR"
exec java $S3PROXY_JAVA_OPTS -DLOG_LEVEL="$LOG_LEVEL" \
  -Ds3proxy.endpoint="$S3PROXY_ENDPOINT" -Ds3proxy.authorization="$S3PROXY_AUTHORIZATION" \
  -Ds3proxy.identity="$S3PROXY_IDENTITY" -Ds3proxy.credential="$S3PROXY_CREDENTIAL" \
  -Djclouds.provider="$JCLOUDS_PROVIDER" -Djclouds.regions="$JCLOUDS_REGIONS" \
  -Djclouds.identity="$JCLOUDS_IDENTITY" -Djclouds.credential="$JCLOUDS_CREDENTIAL" \
  -Djclouds.filesystem.basedir="$JCLOUDS_FILESYSTEM_BASEDIR" \
  -jar /opt/s3proxy/s3proxy --properties /dev/null
