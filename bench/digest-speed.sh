#!/usr/bin/env bash
# What checking 450 MB of COPY text costs per checksum, with the container's JIT flags
# (-XX:TieredStopAtLevel=1: C1 only) and with Java's defaults (C2 too): SHA-256, CRC-32C, and the
# newline count that gives the rows. Why archives check their text by CRC-32C and keep SHA-256 for
# the stored file only. Needs: java. Usage: bench/digest-speed.sh
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/DigestSpeed.java" <<'JAVA'
import java.security.MessageDigest;
import java.util.zip.CRC32C;

public class DigestSpeed {
    public static void main(String[] args) throws Exception {
        byte[] block = new byte[1 << 20];
        new java.util.Random(1).nextBytes(block);
        for (int round = 1; round <= 3; round++) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long t0 = System.nanoTime();
            for (int i = 0; i < 450; i++) sha.update(block, 0, block.length);
            long t1 = System.nanoTime();
            CRC32C crc = new CRC32C();
            for (int i = 0; i < 450; i++) crc.update(block, 0, block.length);
            long t2 = System.nanoTime();
            long rows = 0;
            for (int i = 0; i < 450; i++) for (byte b : block) if (b == '\n') rows++;
            long t3 = System.nanoTime();
            System.out.printf("  round %d: SHA-256 %.2f s   CRC-32C %.3f s   newlines %.2f s (%d)%n", round,
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, rows);
        }
    }
}
JAVA
javac -d "$work" "$work/DigestSpeed.java"
echo "450 MB, -XX:TieredStopAtLevel=1 (the container's flags):"
java -XX:TieredStopAtLevel=1 -cp "$work" DigestSpeed
echo "450 MB, Java's defaults (C1 and C2):"
java -cp "$work" DigestSpeed
