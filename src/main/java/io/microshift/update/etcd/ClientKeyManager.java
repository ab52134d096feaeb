package io.microshift.update.etcd;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The etcd client's one key and certificate chain, handed to the TLS provider as they are.
 * Netty's {@code SslContextBuilder.keyManager(PrivateKey, X509Certificate...)} instead stores
 * them in a PKCS#12 key store and reads them back, which encrypts and decrypts the key with
 * PBKDF2 (10,000 HMAC-SHA256 rounds each way): in a fresh JVM, before the JIT has compiled
 * anything, that was about a tenth of the snapshot verb's start.
 */
final class ClientKeyManager extends X509ExtendedKeyManager {

  static final String ALIAS = "etcd-client";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  ClientKeyManager(PrivateKey key, X509Certificate[] chain) {
    this.key = Objects.requireNonNull(key);
    if (chain.length == 0) {
      throw new IllegalArgumentException("the client certificate file holds no certificate");
    }
    this.chain = chain.clone();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
