package io.microshift.update.host;

import io.microshift.update.etcd.EtcdClientConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * MicroShift's etcd as the host agent reaches it: the loopback client port and the client
 * certificate MicroShift writes for its kube-apiserver (openshift/microshift
 * pkg/config/files.go and pkg/controllers/kube-apiserver.go: {@code --etcd-cafile
 * <certs>/etcd-signer/ca.crt}, {@code --etcd-certfile}/{@code --etcd-keyfile}
 * {@code <certs>/etcd-signer/apiserver-etcd-client/client.{crt,key}}), under the host root the
 * agent runs on. Only the agent (root on the host) reads that key; the operator pod never does.
 */
final class HostEtcd {
  private HostEtcd() {}

  static EtcdClientConfig microshiftDefaults(HostPaths paths) {
    Path signer = paths.host("/var/lib/microshift/certs/etcd-signer");
    Path client = signer.resolve("apiserver-etcd-client");
    return new EtcdClientConfig(List.of(URI.create(EtcdClientConfig.DEFAULT_ENDPOINT)), signer.resolve("ca.crt"),
        client.resolve("client.crt"), client.resolve("client.key"), EtcdClientConfig.DEFAULT_CONNECT_TIMEOUT,
        EtcdClientConfig.DEFAULT_REQUEST_TIMEOUT);
  }
}
