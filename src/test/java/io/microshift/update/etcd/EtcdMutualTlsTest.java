package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production path: https://localhost, client certificate auth, MicroShift's cert layout and
 * key format (PKCS#1 RSA), no BouncyCastle needed to read the key.
 */
class EtcdMutualTlsTest {

  @TempDir Path state;

  @Test
  void preflightAndSnapshotOverMutualTls() throws Exception {
    try (EtcdServerFixture etcd = EtcdServerFixture.builder().mutualTls().start()) {
      EtcdClientConfig config = etcd.clientConfig();
      assertTrue(config.tls());
      assertEquals(etcd.certsDir().resolve("etcd-signer/apiserver-etcd-client/client.key"),
          config.clientKey());
      assertTrue(Files.readString(config.clientKey()).contains("BEGIN RSA PRIVATE KEY"));
      try (EtcdConnection c = EtcdClients.open(config)) {
        EtcdFiller.fill(c.client(), 5, 20, 8 * 1024, 4);
      }

      EtcdPreflightResult pre = new EtcdPreflight(config, dir -> 1L << 40).check(state);
      assertTrue(pre.ok(), () -> pre.problems().toString());
      assertEquals(21, pre.revision());

      BackupSummary s = new EtcdSnapshotter(config).snapshot(new BackupStore(state), "tls", "p", "u");
      assertEquals(21, s.revision());
      assertEquals(io.microshift.update.backup.Sha256Files.of(Path.of(s.snapshotPath())), s.sha256());
    }
  }

  /**
   * The stream's TLS runs in BoringSSL (netty-tcnative), not in the JDK's provider, whose AES-GCM
   * and RSA run interpreted in a fresh JVM (hack/bench etcd-snapshot-cold-tls, docs/backups.md).
   */
  @Test
  void theClientsTlsRunsInBoringSslOnLinux() {
    String arch = System.getProperty("os.arch");
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
        && (arch.equals("amd64") || arch.equals("aarch64")), "netty-tcnative is shipped for Linux x86_64 and aarch64");
    assertTrue(io.netty.handler.ssl.OpenSsl.isAvailable(),
        () -> "BoringSSL did not load: " + io.netty.handler.ssl.OpenSsl.unavailabilityCause());
    assertEquals(io.netty.handler.ssl.SslProvider.OPENSSL,
        io.netty.handler.ssl.SslContext.defaultClientProvider());
  }

  /**
   * In FIPS mode the client's TLS is the JDK's provider (RHEL routes it to the FIPS-validated
   * module), and it reaches etcd over mTLS as BoringSSL does.
   */
  @Test
  void inFipsModeTheClientsTlsIsTheJdksAndStillReachesEtcd() throws Exception {
    try (EtcdServerFixture etcd = EtcdServerFixture.builder().mutualTls().start()) {
      EtcdClientConfig config = etcd.clientConfig();
      assertTrue(EtcdClients.sslContext(config, true) instanceof io.netty.handler.ssl.JdkSslContext);
      try (EtcdConnection c = EtcdClients.open(config, true)) {
        // three puts over the JDK's TLS: a fresh etcd is at revision 1
        assertEquals(4, EtcdFiller.fill(c.client(), 2, 3, 1024, 1));
      }
      assertFalse(EtcdClients.sslContext(config, false) instanceof io.netty.handler.ssl.JdkSslContext,
          "outside FIPS mode gRPC picks BoringSSL");
    }
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefusedAsAProblem() throws Exception {
    try (EtcdServerFixture etcd = EtcdServerFixture.builder().mutualTls().start();
        EtcdServerFixture other = EtcdServerFixture.builder().mutualTls().start()) {
      Path otherClient = other.certsDir().resolve("etcd-signer/apiserver-etcd-client");
      EtcdClientConfig wrongCert = EtcdClientConfig.fromEnvironment(Map.of(
          "MICROSHIFT_CERTS_DIR", etcd.certsDir().toString(),
          "ETCD_ENDPOINTS", etcd.endpoint(),
          "ETCD_CERT", otherClient.resolve("client.crt").toString(),
          "ETCD_KEY", otherClient.resolve("client.key").toString(),
          "ETCD_REQUEST_TIMEOUT", "3s"));

      EtcdPreflightResult r = new EtcdPreflight(wrongCert, dir -> 1L << 40).check(state);

      assertFalse(r.ok());
      assertFalse(r.reachable());
      assertTrue(r.problems().get(0).contains("client certificate"), r.problems().toString());
    }
  }
}
