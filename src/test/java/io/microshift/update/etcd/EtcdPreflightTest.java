package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdPreflightTest {

  private static final FreeSpaceProvider PLENTY = dir -> 1L << 40;
  private static EtcdServerFixture etcd;

  @TempDir Path state;

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdServerFixture.start();
    try (EtcdConnection c = EtcdClients.open(etcd.clientConfig())) {
      EtcdFiller.fill(c.client(), 1, 40, 16 * 1024, 8);
    }
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void reportsMemberStatusAndPassesWithRoom() {
    EtcdPreflightResult r = new EtcdPreflight(etcd.clientConfig(), PLENTY).check(state);

    assertTrue(r.ok(), () -> "problems: " + r.problems());
    assertTrue(r.reachable());
    assertEquals("3.4.23", r.etcdVersion());
    assertTrue(r.dbSizeBytes() > 40 * 16 * 1024, "db size " + r.dbSizeBytes());
    assertTrue(r.revision() >= 41, "revision " + r.revision());
    assertTrue(r.raftIndex() > 0);
    assertEquals(List.of(), r.alarms());
    assertEquals(1L << 40, r.freeBytes());
    assertEquals(EtcdPreflight.requiredBytes(r.dbSizeBytes()), r.requiredBytes());
    assertTrue(r.requiredBytes() > 2 * r.dbSizeBytes());
  }

  @Test
  void refusesWhenTheBackupDirIsTooSmall() {
    FreeSpaceProvider tiny = dir -> 10 * 1024 * 1024;
    EtcdPreflightResult r = new EtcdPreflight(etcd.clientConfig(), tiny).check(state);

    assertFalse(r.ok());
    assertEquals(1, r.problems().size(), () -> r.problems().toString());
    assertTrue(r.problems().get(0).contains("has 10.0 MiB free"), r.problems().get(0));
    assertTrue(r.problems().get(0).contains(state.toString()));
  }

  @Test
  void usesTheRealFileStoreForAMissingBackupDir() throws Exception {
    long free = FreeSpaceProvider.fileStore().usableBytes(state.resolve("backups/not/yet"));
    assertEquals(java.nio.file.Files.getFileStore(state).getUsableSpace(), free, free / 100.0);
  }

  @Test
  void etcdDownIsAProblemWithinTheTimeoutNotAnException() {
    EtcdClientConfig down = EtcdClientConfig.plaintext("http://127.0.0.1:" + EtcdServerFixture.freePort())
        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
    long start = System.nanoTime();
    EtcdPreflightResult r = new EtcdPreflight(down, PLENTY).check(state);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertFalse(r.ok());
    assertFalse(r.reachable());
    assertEquals(-1, r.dbSizeBytes());
    assertTrue(ms < 5000, "took " + ms + " ms");
    assertTrue(r.problems().get(0).contains("systemctl status microshift"), r.problems().toString());
  }

  @Test
  void hungEtcdIsBoundedByTheTimeout() throws Exception {
    // a listener that accepts and never answers: the TLS/HTTP2 handshake hangs
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      EtcdClientConfig hung = EtcdClientConfig.plaintext("http://127.0.0.1:" + silent.getLocalPort())
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1));
      long start = System.nanoTime();
      EtcdPreflightResult r = new EtcdPreflight(hung, PLENTY).check(state);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertFalse(r.ok());
      assertTrue(ms < 4000, "took " + ms + " ms");
      assertTrue(r.problems().get(0).contains("did not answer within 1000 ms"), r.problems().toString());
    }
  }

  @Test
  void missingClientCertificateSaysWhichFileAndVariable(@TempDir Path certs) {
    EtcdClientConfig tls = EtcdClientConfig.fromEnvironment(Map.of(
        "MICROSHIFT_CERTS_DIR", certs.toString(),
        "ETCD_ENDPOINTS", "https://127.0.0.1:" + etcd.clientPort()));
    EtcdPreflightResult r = new EtcdPreflight(tls, PLENTY).check(state);

    assertFalse(r.ok());
    assertTrue(r.problems().get(0).contains(certs.resolve("etcd-signer/ca.crt").toString()),
        r.problems().toString());
    assertTrue(r.problems().get(0).contains("ETCD_CACERT"));
  }

  @Test
  void refusesADatabaseNearItsQuotaBeforeEtcdRaisesNospace() {
    EtcdPreflightResult within = new EtcdPreflight(etcd.clientConfig(), PLENTY).check(state);
    assertTrue(within.ok(), within.problems().toString());
    long quota = (long) (within.dbSizeBytes() / 0.95);

    EtcdPreflightResult r = new EtcdPreflight(etcd.clientConfig(), PLENTY, quota).check(state);

    assertFalse(r.ok());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("% of its") && p.contains("quota")
        && p.contains("NOSPACE")), r.problems().toString());
  }

  @Test
  void refusesOnNospaceAlarm() throws Exception {
    try (EtcdServerFixture small = EtcdServerFixture.builder()
        .quotaBackendBytes(4 * 1024 * 1024).start();
        EtcdConnection c = EtcdClients.open(small.clientConfig())) {
      ExecutionException full = assertThrows(ExecutionException.class,
          () -> {
            for (int n = 0; n < 100; n++) {
              c.client().getKVClient().put(EtcdFiller.key(n),
                  ByteSequence.from(EtcdFiller.value(7, n, 512 * 1024))).get(30, TimeUnit.SECONDS);
            }
          });
      assertTrue(full.getMessage().contains("space exceeded"), full.getMessage());

      EtcdPreflightResult r = new EtcdPreflight(small.clientConfig(), PLENTY).check(state);

      assertFalse(r.ok());
      assertEquals(List.of("NOSPACE"), r.alarms());
      assertTrue(r.problems().stream().anyMatch(p -> p.contains("NOSPACE alarm")), r.problems().toString());
    }
  }

  @Test
  void environmentOverridesEveryDefault() {
    EtcdClientConfig d = EtcdClientConfig.microshiftDefaults();
    assertEquals(List.of(URI.create("https://localhost:2379")), d.endpoints());
    assertEquals(Path.of("/var/lib/microshift/certs/etcd-signer/ca.crt"), d.caCert());
    assertEquals(Path.of("/var/lib/microshift/certs/etcd-signer/apiserver-etcd-client/client.crt"),
        d.clientCert());
    assertEquals(Path.of("/var/lib/microshift/certs/etcd-signer/apiserver-etcd-client/client.key"),
        d.clientKey());

    EtcdClientConfig e = EtcdClientConfig.fromEnvironment(Map.of(
        "ETCD_ENDPOINTS", "https://10.0.0.1:2379, https://10.0.0.2:2379",
        "ETCD_CACERT", "/m/ca.pem", "ETCD_CERT", "/m/c.pem", "ETCD_KEY", "/m/k.pem",
        "ETCD_CONNECT_TIMEOUT", "750ms", "ETCD_REQUEST_TIMEOUT", "2m"));
    assertEquals(2, e.endpoints().size());
    assertEquals(Path.of("/m/ca.pem"), e.caCert());
    assertEquals(Path.of("/m/c.pem"), e.clientCert());
    assertEquals(Path.of("/m/k.pem"), e.clientKey());
    assertEquals(Duration.ofMillis(750), e.connectTimeout());
    assertEquals(Duration.ofMinutes(2), e.requestTimeout());
    assertEquals(d, EtcdClientConfig.fromEnvironment(Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> EtcdClientConfig.fromEnvironment(Map.of("ETCD_REQUEST_TIMEOUT", "soon")));
    // the API's duration grammar (api/Durations), with a bare number as seconds
    assertEquals(Duration.ofSeconds(90), EtcdClientConfig.fromEnvironment(Map.of("ETCD_REQUEST_TIMEOUT", "1m30s")).requestTimeout());
    assertEquals(Duration.ofSeconds(3), EtcdClientConfig.fromEnvironment(Map.of("ETCD_CONNECT_TIMEOUT", "3")).connectTimeout());
    assertThrows(IllegalArgumentException.class,
        () -> EtcdClientConfig.fromEnvironment(Map.of("ETCD_ENDPOINTS", "localhost")));
  }
}
