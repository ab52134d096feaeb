package io.microshift.update.host;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.etcd.EtcdSnapshotter;
import io.microshift.update.etcd.SnapshotException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code etcd-snapshot DIR}: one snapshot of MicroShift's running etcd into
 * {@code DIR/etcd.snapshot}, its sha256 beside it as {@code DIR/etcd.snapshot.sha256}, through the
 * code that takes the snapshot of an update's backup set ({@link EtcdSnapshotter#save}): mTLS
 * with the kube-apiserver's etcd client certificate, streamed, checked against etcd's own
 * checksum, fsynced. What {@code etcdctl snapshot save} does, on a host that has no etcdctl
 * (MicroShift ships none). The etcd settings are {@link EtcdClientConfig#fromEnvironment}'s; the
 * certificates default to MicroShift's data dir under {@code --root}.
 */
public final class EtcdSnapshotCommand {
  private final HostPaths paths;
  private final Map<String, String> env;

  public EtcdSnapshotCommand(HostPaths paths, Map<String, String> env) {
    this.paths = paths;
    this.env = env;
  }

  public int run(Path dir, PrintStream out) {
    Path file = dir.resolve(BackupStore.ETCD_SNAPSHOT);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new HostException(file + " already exists: name a new directory, or delete it first");
    }
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new HostException(dir + " is not a directory: name a new or existing directory");
    }
    Map<String, String> settings = new HashMap<>(env);
    settings.putIfAbsent(EtcdClientConfig.ENV_CERTS_DIR, paths.microshiftData().resolve("certs").toString());
    EtcdClientConfig config = EtcdClientConfig.fromEnvironment(settings);
    try {
      EtcdSnapshotter.Saved saved = new EtcdSnapshotter(config).save(file);
      out.println("etcd snapshot " + saved.file() + ": " + saved.sizeBytes() + " bytes, revision "
          + saved.revision() + ", etcd " + saved.etcdVersion() + ", sha256 " + saved.sha256());
      return 0;
    } catch (SnapshotException e) {
      throw new HostException(e.getMessage(), e);
    }
  }
}
