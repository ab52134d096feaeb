package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.backup.Sha256Files;
import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.etcd.EtcdClients;
import io.microshift.update.etcd.EtcdConnection;
import io.microshift.update.etcd.EtcdFiller;
import io.microshift.update.etcd.EtcdServerFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code microshift-update etcd-snapshot DIR} against a real etcd with MicroShift's mTLS layout. */
class EtcdSnapshotCommandTest {

  private static EtcdServerFixture etcd;

  @TempDir Path tmp;

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdServerFixture.builder().mutualTls().start();
    try (EtcdConnection c = EtcdClients.open(etcd.clientConfig())) {
      EtcdFiller.fill(c.client(), 3, 40, 16 * 1024, 8);
    }
  }

  @AfterAll
  static void stopEtcd() {
    etcd.close();
  }

  private Map<String, String> env() {
    return Map.of(EtcdClientConfig.ENV_ENDPOINTS, etcd.endpoint(),
        EtcdClientConfig.ENV_CERTS_DIR, etcd.certsDir().toString());
  }

  @Test
  void writesTheSnapshotAndItsSha256OverMutualTls() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Path dir = tmp.resolve("snap");

    int rc = new EtcdSnapshotCommand(new HostPaths(tmp.resolve("root")), env())
        .run(dir, new PrintStream(out, true, StandardCharsets.UTF_8));

    assertEquals(0, rc);
    Path file = dir.resolve("etcd.snapshot");
    String sha = Sha256Files.of(file);
    assertEquals(sha + "  etcd.snapshot\n", Files.readString(dir.resolve("etcd.snapshot.sha256")));
    assertTrue(Files.size(file) > 40 * 16 * 1024, "holds the 40 values");
    assertFalse(Files.exists(dir.resolve("etcd.snapshot.partial")));
    String line = out.toString(StandardCharsets.UTF_8);
    assertTrue(line.contains(file + ": " + Files.size(file) + " bytes, revision 41"), line);
    assertTrue(line.contains("sha256 " + sha), line);
  }

  @Test
  void readsMicroShiftsCertificatesUnderTheRootByDefault() throws Exception {
    Path root = tmp.resolve("root");
    copyTree(etcd.certsDir(), root.resolve("var/lib/microshift/certs"));

    int rc = new EtcdSnapshotCommand(new HostPaths(root),
        Map.of(EtcdClientConfig.ENV_ENDPOINTS, etcd.endpoint()))
        .run(tmp.resolve("snap"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    assertEquals(0, rc);
    assertTrue(Files.size(tmp.resolve("snap/etcd.snapshot")) > 0);
  }

  @Test
  void refusesToReplaceAnExistingSnapshot() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("snap"));
    Files.writeString(dir.resolve("etcd.snapshot"), "an older snapshot");

    HostException e = assertThrows(HostException.class, () ->
        new EtcdSnapshotCommand(new HostPaths(tmp.resolve("root")), env())
            .run(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));

    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertEquals("an older snapshot", Files.readString(dir.resolve("etcd.snapshot")));
  }

  @Test
  void saysWhichCertificateIsMissing() {
    HostException e = assertThrows(HostException.class, () ->
        new EtcdSnapshotCommand(new HostPaths(tmp.resolve("empty-root")),
            Map.of(EtcdClientConfig.ENV_ENDPOINTS, etcd.endpoint()))
            .run(tmp.resolve("snap"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));

    assertTrue(e.getMessage().contains("empty-root/var/lib/microshift/certs/etcd-signer/ca.crt"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("snap/etcd.snapshot")));
  }

  @Test
  void theVerbIsListedAndNeedsADirectory() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = HostCli.run(new String[] {"etcd-snapshot"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, rc);
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("etcd-snapshot needs a directory"), text);
    assertTrue(text.contains("etcd-snapshot DIR"), text);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
