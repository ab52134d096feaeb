package io.microshift.update.operator.tls;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import javax.net.ssl.SSLContext;

/**
 * fabric8's JDK HTTP client, with its TLS done by BoringSSL ({@link OpenSslContext}); whether to
 * use it at all is {@code OperatorClients.usesBoringSsl}'s decision. The trust and key managers
 * are the ones fabric8 makes of the same {@link Config} (7.5 {@code
 * HttpClientUtils.applyCommonConfiguration}: {@code SSLUtils.trustManagers(config)}, {@code
 * SSLUtils.keyManagers(config)}); only the context built from them is replaced, in {@link
 * #additionalConfig}, which fabric8 calls after it set its own. The context is made once, at the
 * first client built (Guava's memoizer, as {@code OperatorImage} uses).
 */
public final class OpenSslHttpClientFactory extends JdkHttpClientFactory {
  private final Supplier<SSLContext> context;

  public OpenSslHttpClientFactory(Config config) {
    this.context = Suppliers.memoize(() -> {
      try {
        return OpenSslContext.client(SSLUtils.keyManagers(config), SSLUtils.trustManagers(config));
      } catch (Exception e) {
        throw KubernetesClientException.launderThrowable(e);
      }
    });
  }

  @Override
  protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
    builder.sslContext(context.get());
  }
}
