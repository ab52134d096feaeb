package io.microshift.update.host;

import java.util.Optional;

/** Which ostree deployment (checksum) is booted. Real hosts ask rpm-ostree; tests read a file. */
public interface BootedDeployment {
  Optional<String> bootedChecksum();
}
