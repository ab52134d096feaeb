package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real host's view of deployments: rpm-ostree status --json and the ostree= kernel argument. */
class RpmOstreeTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);

  @TempDir Path root;

  private final List<List<String>> calls = new ArrayList<>();

  private RpmOstree with(String json) {
    return new RpmOstree(argv -> {
      calls.add(argv);
      return new CommandRunner.Result(0, json, "");
    }, new HostPaths(root));
  }

  @Test
  void parsesDeploymentsInBootOrder() {
    RpmOstree ro = with("{\"deployments\":[{\"checksum\":\"" + B + "\",\"origin\":\"edge:rhel/9/x86_64/edge\",\"staged\":true},"
        + "{\"checksum\":\"" + A + "\",\"booted\":true,\"origin\":\"edge:rhel/9/x86_64/edge\"}]}");
    assertEquals(Optional.of(new RpmOstree.Deployment(B, false, true, "edge:rhel/9/x86_64/edge")), ro.pending());
    assertEquals(Optional.of(A), ro.bootedChecksum());
    assertEquals(List.of("rpm-ostree", "status", "--json"), calls.get(0));
  }

  @Test
  void noPendingWhenTheBootedOneIsFirst() {
    assertTrue(with("{\"deployments\":[{\"checksum\":\"" + A + "\",\"booted\":true}]}").pending().isEmpty());
  }

  @Test
  void refusesAnUnexpectedChecksum() {
    assertThrows(HostException.class, () -> with("{\"deployments\":[{\"checksum\":\"; rm -rf /\"}]}").deployments());
  }

  @Test
  void crossChecksTheKernelArgument() throws Exception {
    Path deploy = root.resolve("sysroot/ostree/deploy/rhel/deploy/" + B + ".0");
    Files.createDirectories(deploy);
    Path boot = root.resolve("sysroot/ostree/boot.1/rhel/c0ffee/0");
    Files.createDirectories(boot.getParent());
    Files.createSymbolicLink(boot, deploy);
    Files.createDirectories(root.resolve("proc"));
    Files.writeString(root.resolve("proc/cmdline"), "BOOT_IMAGE=/vmlinuz ostree=/ostree/boot.1/rhel/c0ffee/0 rw\n");
    RpmOstree karg = with("{\"deployments\":[]}");
    assertEquals(Optional.of(B), karg.bootedChecksum());
    RpmOstree disagreeing = with("{\"deployments\":[{\"checksum\":\"" + A + "\",\"booted\":true}]}");
    HostException e = assertThrows(HostException.class, disagreeing::bootedChecksum);
    assertTrue(e.getMessage().contains("ostree= kernel argument points at " + B), e.getMessage());
  }
}
