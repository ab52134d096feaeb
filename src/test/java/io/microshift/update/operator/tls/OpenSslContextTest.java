package io.microshift.update.operator.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl;
import io.microshift.update.operator.OperatorClients;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's API client over BoringSSL ({@link OpenSslHttpClientFactory}) checks the API
 * server as the JDK's TLS did: the chain against the configured CA, and the certificate's name
 * against the address the client dialled (the endpoint identification that the JDK HTTP client
 * sets on every engine). The server is the JDK's HttpsServer with certificates made by openssl.
 * The real kube-apiserver path (TLS 1.3, watches, exec WebSockets) is the control-plane stories'.
 */
class OpenSslContextTest {
  @TempDir static Path certs;
  private HttpsServer server;
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca("ca");
    ca("other-ca");
    issue("ca", "server", "IP:127.0.0.1");
    issue("ca", "elsewhere", "IP:127.0.0.2,DNS:elsewhere.example");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theClientTalksToAServerItsCaSignedForTheAddressOverBoringSsl() throws Exception {
    int port = serve("server");
    try (KubernetesClient client = OperatorClients.builder(config(port, "ca")).build()) {
      SSLContext tls = jdkClient(client).sslContext();
      assertInstanceOf(OpenSslContext.class, tls, "BoringSSL loads on this machine; the client must use it");
      ConfigMap cm = client.configMaps().inNamespace("default").withName("x").get();
      assertEquals("yes", cm.getData().get("served"));
      // a second request and a second connection: the engines are made per connection
      assertEquals("yes", client.configMaps().inNamespace("default").withName("x").get().getData().get("served"));
    }
    assertEquals(2, requests.get());
  }

  @Test
  void aServerSignedByAnotherCaIsRefused() throws Exception {
    assertHandshakeRefused("server", "other-ca");
  }

  @Test
  void aCertificateForAnotherAddressIsRefusedThoughItsCaIsTrusted() throws Exception {
    assertHandshakeRefused("elsewhere", "ca");
  }

  /** The server shows certificate {@code served}, the client trusts {@code ca}: no request gets through. */
  private void assertHandshakeRefused(String served, String ca) throws Exception {
    int port = serve(served);
    try (KubernetesClient client = OperatorClients.builder(config(port, ca)).build()) {
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> client.configMaps().inNamespace("default").withName("x").get());
      assertTrue(causes(e).stream().anyMatch(SSLHandshakeException.class::isInstance), () -> "not a handshake failure: " + causes(e));
    }
    assertEquals(0, requests.get());
  }

  /** The JDK client under fabric8's (its getter is package-private). */
  private static java.net.http.HttpClient jdkClient(KubernetesClient client) throws Exception {
    java.lang.reflect.Method getter = JdkHttpClientImpl.class.getDeclaredMethod("getHttpClient");
    getter.setAccessible(true);
    return (java.net.http.HttpClient) getter.invoke(client.getHttpClient());
  }

  private Config config(int port, String ca) {
    return new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:" + port)
        .withCaCertFile(certs.resolve(ca + ".crt").toString()).withOauthToken("t")
        .withRequestTimeout(10_000).withConnectionTimeout(5_000).withRequestRetryBackoffLimit(0).build();
  }

  private int serve(String name) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(certs.resolve(name + ".p12"))) {
      ks.load(in, "pw".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "pw".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] body = ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\","
          + "\"namespace\":\"default\"},\"data\":{\"served\":\"yes\"}}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server.getAddress().getPort();
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> all = new ArrayList<>();
    for (Throwable c = t; c != null && !all.contains(c); c = c.getCause()) {
      all.add(c);
    }
    return all;
  }

  private static void ca(String name) throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
        "-keyout", name + ".key", "-out", name + ".crt");
  }

  private static void issue(String ca, String name, String san) throws Exception {
    Files.writeString(certs.resolve(name + ".ext"), "subjectAltName=" + san + "\n");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", name + ".key",
        "-out", name + ".csr");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
        "-CAcreateserial", "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
    openssl("pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-passout", "pass:pw",
        "-out", name + ".p12");
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(certs.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + ": " + out);
    }
  }
}
