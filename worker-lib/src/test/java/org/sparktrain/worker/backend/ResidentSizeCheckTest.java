package org.sparktrain.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResidentSizeCheckTest {
  private Properties saved;

  @BeforeEach
  void save() {
    saved = (Properties) System.getProperties().clone();
    System.clearProperty(ResidentSizeCheck.PROPERTY);
    System.clearProperty(ResidentSizeCheck.PROPERTY_CAMEL_CASE);
  }

  @AfterEach
  void restore() {
    System.setProperties(saved);
  }

  @Test
  void turnsTheCheckOffWhenNobodyChoseALimit() {
    ResidentSizeCheck.turnOffUnlessSet();
    assertThat(System.getProperty(ResidentSizeCheck.PROPERTY)).isEqualTo("0");
  }

  @Test
  void keepsALimitTheUserChoseInEitherSpelling() {
    System.setProperty(ResidentSizeCheck.PROPERTY, "8g");
    ResidentSizeCheck.turnOffUnlessSet();
    assertThat(System.getProperty(ResidentSizeCheck.PROPERTY)).isEqualTo("8g");

    System.clearProperty(ResidentSizeCheck.PROPERTY);
    System.setProperty(ResidentSizeCheck.PROPERTY_CAMEL_CASE, "6g");
    ResidentSizeCheck.turnOffUnlessSet();
    // JavaCPP reads the camel-case spelling last, so setting the other would change nothing;
    // leaving it unset keeps the picture plain.
    assertThat(System.getProperty(ResidentSizeCheck.PROPERTY)).isNull();
  }

  @Test
  void findsALimitInJavaOptions() {
    assertThat(ResidentSizeCheck.isNamedIn("-Xss4m -Dorg.bytedeco.javacpp.maxphysicalbytes=4g"))
        .isTrue();
    assertThat(ResidentSizeCheck.isNamedIn("-Dorg.bytedeco.javacpp.maxPhysicalBytes=0")).isTrue();
    assertThat(ResidentSizeCheck.isNamedIn("-Dorg.bytedeco.javacpp.maxbytes=1g")).isFalse();
  }
}
