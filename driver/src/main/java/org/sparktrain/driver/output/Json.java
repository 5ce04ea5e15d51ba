package org.sparktrain.driver.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * One shared JSON mapper; NaN is written as a JSON null-safe string by Jackson's default. What it
 * reads may come from anyone (a model's preprocessing.json, a checkpoint, a run's files), so it
 * reads within {@link #READ_LIMITS}.
 */
public final class Json {
  /**
   * sparktrain's own files nest under ten levels; the longest string is a checkpoint's copy of a
   * tokenizer (at most 64 MB); numbers are what Jackson writes for a double.
   */
  public static final StreamReadConstraints READ_LIMITS = StreamReadConstraints.builder()
      .maxNestingDepth(64).maxStringLength(64 << 20).maxNumberLength(100).build();
  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(READ_LIMITS).build())
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  public static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
