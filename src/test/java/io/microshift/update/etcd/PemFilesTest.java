package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys in each format MicroShift or an administrator may hand us, made by openssl. */
class PemFilesTest {

  @TempDir Path dir;

  private Path openssl(String name, String... args) {
    Path out = dir.resolve(name);
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl", args[0], "-out", out.toString()));
    cmd.addAll(List.of(args).subList(1, args.length));
    EtcdServerFixture.run(cmd).requireSuccess();
    return out;
  }

  @Test
  void readsPkcs1RsaKeys() throws Exception {
    Path key = openssl("rsa.key", "genrsa", "-traditional", "2048");
    assertEquals("RSA", PemFiles.privateKey(key).getAlgorithm());
  }

  @Test
  void readsSec1EcKeysEvenAfterAParametersBlock() throws Exception {
    Path key = openssl("ec.key", "ecparam", "-genkey", "-name", "prime256v1");
    PrivateKey k = PemFiles.privateKey(key);
    assertEquals("EC", k.getAlgorithm());
  }

  @Test
  void readsPkcs8Keys() throws Exception {
    Path rsa = openssl("p8rsa.key", "genpkey", "-algorithm", "RSA");
    Path ec = openssl("p8ec.key", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384");
    assertEquals("RSA", PemFiles.privateKey(rsa).getAlgorithm());
    assertEquals("EC", PemFiles.privateKey(ec).getAlgorithm());
  }

  @Test
  void refusesAFileWithoutAKey() throws Exception {
    Path notAKey = Files.writeString(dir.resolve("x"), "hello");
    assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(notAKey));
  }
}
