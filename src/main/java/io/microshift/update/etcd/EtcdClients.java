package io.microshift.update.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.microshift.update.crypto.FipsMode;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** Builds jetcd clients from an {@link EtcdClientConfig}; the caller closes them. */
public final class EtcdClients {

  private EtcdClients() {}

  /**
   * A client for {@code config}. Fails with {@link EtcdUnavailableException} when the TLS files
   * cannot be read, with a message that names the file and the variable that moves it.
   */
  public static EtcdConnection open(EtcdClientConfig config) {
    return open(config, FipsMode.enabled(FipsMode.KERNEL_FLAG));
  }

  /** {@link #open(EtcdClientConfig)}, in FIPS mode or not ({@link #sslContext}). */
  static EtcdConnection open(EtcdClientConfig config, boolean fips) {
    ClientBuilder builder = Client.builder()
        .endpoints(config.endpoints().toArray(URI[]::new))
        .connectTimeout(config.connectTimeout())
        // fail fast when etcd is down instead of queueing calls until it comes back;
        // every call is bounded by the caller's timeout anyway
        .waitForReady(false)
        .retryMaxAttempts(1)
        // snapshot chunks are 32 KiB; status and alarm answers are small
        .maxInboundMessageSize(16 * 1024 * 1024);
    if (config.tls()) {
      requireReadable(config.caCert(), EtcdClientConfig.ENV_CACERT, "CA certificate");
      requireReadable(config.clientCert(), EtcdClientConfig.ENV_CERT, "client certificate");
      requireReadable(config.clientKey(), EtcdClientConfig.ENV_KEY, "client key");
      // the serving certificate MicroShift issues to etcd names localhost and 127.0.0.1
      builder.authority(config.endpoints().get(0).getHost());
      try {
        builder.sslContext(sslContext(config, fips));
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw new EtcdUnavailableException("cannot load the etcd TLS material (" + config.caCert()
            + ", " + config.clientCert() + ", " + config.clientKey() + "): " + e.getMessage(), e);
      }
    }
    return new EtcdConnection(builder.build(), builder.target(), config);
  }

  /**
   * The client's TLS: gRPC's client settings (jetcd's {@code ClientBuilder.sslContext(Consumer)}
   * starts from {@code GrpcSslContexts.forClient()} too), with MicroShift's CA and the client
   * certificate. gRPC picks BoringSSL (netty-tcnative) where it loads; in FIPS mode the JDK's
   * provider instead ({@code GrpcSslContexts.configure(builder, JDK)}: its ciphers and ALPN), so
   * that the crypto is the system's FIPS-validated module's ({@link FipsMode}).
   */
  static SslContext sslContext(EtcdClientConfig config, boolean fips)
      throws IOException, GeneralSecurityException {
    X509Certificate[] ca = PemFiles.certificates(config.caCert());
    X509Certificate[] chain = PemFiles.certificates(config.clientCert());
    PrivateKey key = PemFiles.privateKey(config.clientKey());
    SslContextBuilder ssl = GrpcSslContexts.forClient();
    if (fips) {
      GrpcSslContexts.configure(ssl, SslProvider.JDK);
    }
    return ssl.trustManager(ca).keyManager(new ClientKeyManager(key, chain)).build();
  }

  private static void requireReadable(Path file, String envVar, String what) {
    if (!Files.isReadable(file)) {
      throw new EtcdUnavailableException("the etcd " + what + " " + file + " is missing or not"
          + " readable: the host agent reads it from MicroShift's cert dir (/var/lib/microshift/certs, root"
          + " only); check that MicroShift has started once, or set " + envVar + " to the right file");
    }
  }
}
