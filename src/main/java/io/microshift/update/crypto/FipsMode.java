package io.microshift.update.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the machine runs in FIPS mode: the kernel's {@code crypto/fips_enabled} is 1 (RHEL's
 * {@code fips-mode-setup}; a container reads the host kernel's flag). In FIPS mode the operator's
 * API client and the host agent's etcd client keep the JDK's TLS, which RHEL's OpenJDK routes to
 * the system's FIPS-validated provider; the BoringSSL that netty-tcnative carries is not a
 * validated module. Red Hat's own account ("Configuring Red Hat build of OpenJDK 17 on RHEL with
 * FIPS", chapter 3, "FIPS automation"): with FIPS mode enabled the JDK replaces its providers with
 * a constrained list, and SunJSSE does TLS with the SunPKCS11-NSS-FIPS provider for every
 * cryptographic primitive.
 */
public final class FipsMode {
  public static final Path KERNEL_FLAG = Path.of("/proc/sys/crypto/fips_enabled");

  private FipsMode() {}

  /** True when {@code flag} reads 1; false when it reads anything else or cannot be read. */
  public static boolean enabled(Path flag) {
    try {
      return Files.readString(flag).trim().equals("1");
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
