package io.microshift.update.etcd.bench;

import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.etcd.EtcdClients;
import io.microshift.update.etcd.EtcdConnection;
import io.microshift.update.etcd.EtcdFiller;

/**
 * Fills the etcd named by the environment ({@link EtcdClientConfig#fromEnvironment}, so the same
 * mTLS settings as the agent) with about {@code <size MiB>} of incompressible 64 KiB values. Run
 * by {@code hack/bench.d/etcd-snapshot-cold-tls}; prints the last revision.
 */
public final class EtcdFillMain {

  private static final int VALUE_SIZE = 64 * 1024;

  private EtcdFillMain() {}

  public static void main(String[] args) throws Exception {
    int sizeMib = Integer.parseInt(args[0]);
    int keys = (int) ((long) sizeMib * 1024 * 1024 / VALUE_SIZE);
    try (EtcdConnection c = EtcdClients.open(EtcdClientConfig.fromEnvironment(System.getenv()))) {
      System.out.println(EtcdFiller.fill(c.client(), 7, keys, VALUE_SIZE, 32));
    }
  }
}
