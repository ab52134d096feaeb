package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fixture other tests (and the end-to-end tests) rely on. */
class EtcdServerFixtureTest {

  @Test
  void restartKeepsDataAndPortAndCloseDeletesEverything() throws Exception {
    Path work;
    try (EtcdServerFixture etcd = EtcdServerFixture.start()) {
      work = etcd.workDir();
      int port = etcd.clientPort();
      byte[] value = EtcdFiller.value(1, 1, 100);
      try (EtcdConnection c = EtcdClients.open(etcd.clientConfig())) {
        c.client().getKVClient().put(EtcdFiller.key(1), ByteSequence.from(value)).get(10, TimeUnit.SECONDS);
      }

      etcd.kill();
      assertFalse(etcd.isRunning());
      etcd.restart();

      assertTrue(etcd.isRunning());
      assertEquals(port, etcd.clientPort());
      try (EtcdConnection c = EtcdClients.open(etcd.clientConfig())) {
        assertArrayEquals(value, c.client().getKVClient().get(EtcdFiller.key(1)).get(10, TimeUnit.SECONDS)
            .getKvs().get(0).getValue().getBytes());
      }
      assertEquals(0, etcd.etcdctl("endpoint", "health").exitCode());
    }
    assertFalse(Files.exists(work));
  }
}
