package io.microshift.update.etcd;

import io.etcd.jetcd.Client;

/**
 * An open jetcd client with the gRPC target it was built for (jetcd's {@code statusMember} takes
 * a target, not a URL). Close it when done.
 */
public record EtcdConnection(Client client, String target, EtcdClientConfig config)
    implements AutoCloseable {

  @Override
  public void close() {
    client.close();
  }
}
