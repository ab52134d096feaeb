package io.microshift.update.host;

import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.etcd.EtcdServerFixture;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Action;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up of the host tests of a new operator's requests (Prepare, then Apply): a {@link TestHost}
 * whose MicroShift etcd is a real one (one per test class, holding a key), requests without
 * snapshot facts (the host takes the snapshot), and the apply verb.
 */
abstract class HostWithEtcd {
  static final String HOST_BACKUP = "upd-4-17-3-2";
  static EtcdServerFixture etcd;

  @TempDir Path root;

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdServerFixture.start();
    try (var c = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
      c.getKVClient().put(io.etcd.jetcd.ByteSequence.from("/registry/a", StandardCharsets.UTF_8),
          io.etcd.jetcd.ByteSequence.from("b", StandardCharsets.UTF_8)).get();
    }
  }

  @AfterAll
  static void stopEtcd() {
    etcd.close();
  }

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  /** A host under {@code root} whose agent reaches the class's etcd. */
  static TestHost host(Path root, boolean ostree) {
    TestHost h = new TestHost(root, ostree);
    h.etcd = EtcdClientConfig.plaintext(etcd.endpoint());
    return h;
  }

  /** The request of a new operator: no snapshot facts (the host takes it), action {@code action}. */
  static UpdateRequest request(TestHost h, long sequence, Action action, boolean dryRun) {
    UpdateRequest r = h.request();
    return new UpdateRequest(r.apiVersion(), r.plan(), sequence, action, r.type(), r.from(), r.target(),
        r.allowDowngrade(), UpdateRequest.Backup.takenByHost(HOST_BACKUP), r.healthCheckTimeoutSeconds(),
        r.backupRetention(), null, r.allowUnsupportedPath(), r.bypassUpdateDriver(), dryRun);
  }

  static int apply(TestHost h) {
    return new ApplyCommand(h.ctx()).run();
  }
}
