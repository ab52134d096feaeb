package io.microshift.update.etcd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys with the JDK alone. MicroShift writes its keys in the
 * Go {@code keyutil} formats: PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY});
 * netty reads only PKCS#8 without BouncyCastle, which the jar does not ship. Both are
 * wrapped into PKCS#8 here; PKCS#8 ({@code PRIVATE KEY}) is read as is.
 */
final class PemFiles {

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
  /** AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
  private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
  /** OID id-ecPublicKey (1.2.840.10045.2.1). */
  private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

  private PemFiles() {}

  static X509Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      X509Certificate[] certs = CertificateFactory.getInstance("X.509").generateCertificates(in)
          .stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
      if (certs.length == 0) {
        throw new GeneralSecurityException(file + " holds no certificate");
      }
      return certs;
    }
  }

  static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    Matcher m = BLOCK.matcher(Files.readString(file, StandardCharsets.US_ASCII));
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      switch (m.group(1)) {
        case "PRIVATE KEY":
          return pkcs8(der, file);
        case "RSA PRIVATE KEY":
          return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
              sequence(concat(integerZero(), RSA_ALGORITHM, tlv(0x04, der)))));
        case "EC PRIVATE KEY":
          byte[] curve = sec1Curve(der, file);
          return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(sequence(
              concat(integerZero(), sequence(concat(EC_PUBLIC_KEY_OID, curve)), tlv(0x04, der)))));
        default:
          // e.g. EC PARAMETERS before the key: skip
      }
    }
    throw new GeneralSecurityException(file + " holds no PRIVATE KEY, RSA PRIVATE KEY or"
        + " EC PRIVATE KEY block");
  }

  private static PrivateKey pkcs8(byte[] der, Path file) throws GeneralSecurityException {
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(file + ": unsupported PKCS#8 key algorithm");
  }

  /**
   * The named-curve OID (as a DER TLV) from a SEC 1 ECPrivateKey: SEQUENCE { INTEGER 1,
   * OCTET STRING key, [0] OID curve, [1] public key }.
   */
  private static byte[] sec1Curve(byte[] der, Path file) throws GeneralSecurityException {
    int[] pos = {0};
    expect(der, pos, 0x30, file);
    readLength(der, pos);
    skip(der, pos); // version
    skip(der, pos); // private key
    if (pos[0] < der.length && (der[pos[0]] & 0xff) == 0xa0) {
      pos[0]++;
      int len = readLength(der, pos);
      byte[] oid = new byte[len];
      System.arraycopy(der, pos[0], oid, 0, len);
      return oid;
    }
    throw new GeneralSecurityException(file + ": the EC key does not name its curve");
  }

  private static void expect(byte[] der, int[] pos, int tag, Path file) throws GeneralSecurityException {
    if (pos[0] >= der.length || (der[pos[0]] & 0xff) != tag) {
      throw new GeneralSecurityException(file + ": malformed key");
    }
    pos[0]++;
  }

  private static void skip(byte[] der, int[] pos) {
    pos[0]++;
    int len = readLength(der, pos);
    pos[0] += len;
  }

  private static int readLength(byte[] der, int[] pos) {
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int len = 0;
    for (int i = 0; i < (first & 0x7f); i++) {
      len = (len << 8) | (der[pos[0]++] & 0xff);
    }
    return len;
  }

  private static byte[] integerZero() {
    return new byte[] {0x02, 0x01, 0x00};
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(len) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(len >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }
}
