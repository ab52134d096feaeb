package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

class ClientKeyManagerTest {

  @Test
  void offersItsOneKeyAndChainAsAClientAndNothingAsAServer() throws Exception {
    PrivateKey key = KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate();
    X509Certificate[] chain = new X509Certificate[] {null};
    ClientKeyManager km = new ClientKeyManager(key, chain);

    String alias = km.chooseEngineClientAlias(new String[] {"RSA"}, null, null);
    assertEquals(ClientKeyManager.ALIAS, alias);
    assertEquals(alias, km.chooseClientAlias(new String[] {"RSA"}, null, null));
    assertSame(key, km.getPrivateKey(alias));
    assertArrayEquals(chain, km.getCertificateChain(alias));
    assertNull(km.getPrivateKey("other"));
    assertNull(km.getCertificateChain("other"));
    assertNull(km.chooseServerAlias("RSA", null, null));
    assertNull(km.getServerAliases("RSA", null));
  }

  @Test
  void refusesAnEmptyChain() throws Exception {
    PrivateKey key = KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate();
    assertThrows(IllegalArgumentException.class, () -> new ClientKeyManager(key, new X509Certificate[0]));
  }
}
