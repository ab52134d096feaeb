package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.microshift.update.operator.OperatorConfig.ApiTls;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void theApiCallsUseBoringSslUnlessApiTlsSaysJdk() {
    assertEquals(ApiTls.BORINGSSL, OperatorConfig.fromEnvironment(Map.of()).apiTls());
    assertEquals(ApiTls.BORINGSSL, OperatorConfig.fromEnvironment(Map.of("API_TLS", "boringssl")).apiTls());
    assertEquals(ApiTls.JDK, OperatorConfig.fromEnvironment(Map.of("API_TLS", "jdk")).apiTls());
  }

  @Test
  void anUnknownApiTlsIsRefusedWithTheValuesItMayTake() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OperatorConfig.fromEnvironment(Map.of("API_TLS", "openssl")));
    assertEquals("API_TLS must be boringssl or jdk, got openssl", e.getMessage());
  }
}
