package io.microshift.update.operator.tls;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import javax.net.ssl.SSLContext;

/**
 * fabric8's JDK HTTP client, with its TLS done by BoringSSL ({@link OpenSslContext}) when that
 * loads, else by the JDK as before. The trust and key managers are the ones fabric8 makes of the
 * same {@link Config} (7.5 {@code HttpClientUtils.applyCommonConfiguration}: {@code
 * SSLUtils.trustManagers(config)}, {@code SSLUtils.keyManagers(config)}); only the context built
 * from them is replaced, in {@link #additionalConfig}, which fabric8 calls after it set its own.
 */
public final class OpenSslHttpClientFactory extends JdkHttpClientFactory {
  private final Config config;
  private SSLContext context;

  public OpenSslHttpClientFactory(Config config) {
    this.config = config;
  }

  @Override
  protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
    builder.sslContext(context());
  }

  private synchronized SSLContext context() {
    if (context == null) {
      try {
        context = OpenSslContext.client(SSLUtils.keyManagers(config), SSLUtils.trustManagers(config));
      } catch (Exception e) {
        throw KubernetesClientException.launderThrowable(e);
      }
    }
    return context;
  }
}
