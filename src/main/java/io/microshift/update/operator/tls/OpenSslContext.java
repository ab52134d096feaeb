package io.microshift.update.operator.tls;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.KeyManagementException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * A client {@link SSLContext} whose engines are BoringSSL's (netty-tcnative, which the jar already
 * carries for the etcd client), for the JDK HTTP client of the operator's API calls.
 *
 * <p>Why: the operator runs C1 only (manifests/deployment.yaml), and the JDK's AES-GCM and GHASH
 * intrinsics are C2's; in the 200-hook hand-off the JDK's record crypto took 39 % of the operator's
 * CPU (docs/reference/benchmarks.md). The JDK HTTP client takes any {@code SSLContext}; netty
 * offers no {@code javax.net.ssl.SSLContext} over its OpenSSL engine, hence this adapter, whose
 * engines are netty's as the JDK client calls them ({@link JdkClientEngine}). The trust and key
 * managers are the ones fabric8 built from the service account (or kubeconfig), so the peer is checked exactly as before: the
 * chain by the same X509TrustManager, the host name by the endpoint identification the JDK client
 * sets on each engine. The engines are netty's finalizer-released {@code OpenSslEngine}s (the JDK
 * client never says when it is done with one).
 *
 * <p>The context offers no ALPN: every connection is HTTP/1.1, as the exec WebSockets are in any
 * case (the JDK client asks for HTTP/1.1 when it sets no application protocols, and a context-wide
 * "h2" would be chosen for those too).
 */
public final class OpenSslContext extends SSLContext {
  private OpenSslContext(Spi spi) {
    super(spi, spi.provider(), "TLS");
  }

  /** True when BoringSSL loaded on this machine (else the JDK's own TLS is used). */
  public static boolean available() {
    return OpenSsl.isAvailable();
  }

  /** Why BoringSSL did not load, or null when it did. */
  public static Throwable unavailabilityCause() {
    return OpenSsl.unavailabilityCause();
  }

  /** A client context over BoringSSL with these managers (fabric8's, from its config). */
  public static SSLContext client(KeyManager[] keyManagers, TrustManager[] trustManagers)
      throws SSLException {
    SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
        .protocols("TLSv1.3", "TLSv1.2");
    X509TrustManager trust = first(trustManagers, X509TrustManager.class);
    if (trust != null) {
      builder.trustManager(trust);
    }
    X509KeyManager key = first(keyManagers, X509KeyManager.class);
    if (key != null) {
      builder.keyManager(key);
    }
    return new OpenSslContext(new Spi(builder.build()));
  }

  private static <T> T first(Object[] managers, Class<T> type) {
    if (managers == null) {
      return null;
    }
    for (Object m : managers) {
      if (type.isInstance(m)) {
        return type.cast(m);
      }
    }
    return null;
  }

  private static final class Spi extends SSLContextSpi {
    private static final Provider PROVIDER = new Provider("netty-tcnative", "1", "BoringSSL TLS engines") {};
    private final SslContext netty;

    Spi(SslContext netty) {
      this.netty = netty;
    }

    Provider provider() {
      return PROVIDER;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("already initialised, from fabric8's managers");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return new JdkClientEngine(netty.newEngine(UnpooledByteBufAllocator.DEFAULT), null, -1);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      // host and port: the client session cache resumes sessions by peer
      return new JdkClientEngine(netty.newEngine(UnpooledByteBufAllocator.DEFAULT, host, port), host, port);
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return netty.sessionContext();
    }

    // The three below: an engine-only client context has no server side and no sockets. SSLContext's
    // own contract for getServerSessionContext, getSocketFactory and getServerSocketFactory is
    // UnsupportedOperationException "if the underlying provider does not implement the operation";
    // the JDK HTTP client calls none of them (it asks for engines only).
    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw new UnsupportedOperationException("a client context");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw new UnsupportedOperationException("engines only: the JDK HTTP client uses SSLEngine");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw new UnsupportedOperationException("a client context");
    }
  }
}
