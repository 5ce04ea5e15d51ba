package org.sparktrain.worker.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CharTokenizerTest {
  private static final String TRICKY = "naïve — 😀\n\tcafé  \r\n   end\u0000\u2028\"quoted\"\\";

  @Test
  void encodeThenDecodeGivesTheTextBackExactly() {
    CharTokenizer t = CharTokenizer.train(TRICKY);
    assertThat(t.decode(t.encode(TRICKY))).isEqualTo(TRICKY);
  }

  @Test
  void vocabularyIsTheSortedCodePointsThenTheSpecialTokens() {
    CharTokenizer t = CharTokenizer.train("cabbage 😀");
    // ' ' a b c e g 😀 (one code point, not two surrogates), then 5 specials.
    assertThat(t.vocabSize()).isEqualTo(7 + 5);
    assertThat(t.encode("abc 😀")).containsExactly(1, 2, 3, 0, 6);
    assertThat(t.specialTokens()).isEqualTo(new SpecialTokens(7, 8, 9, 10, 11));
    assertThat(CharTokenizer.train("😀 egabbac").toJson()).isEqualTo(t.toJson());
  }

  @Test
  void unknownCharactersBecomeUnkAndSpecialIdsDecodeToTheirNames() {
    CharTokenizer t = CharTokenizer.train("ab");
    SpecialTokens s = t.specialTokens();
    assertThat(t.encode("abz")).containsExactly(0, 1, s.unk());
    assertThat(t.decode(new int[] {s.cls(), 0, s.sep(), 1, s.mask(), s.pad()}))
        .isEqualTo("[CLS]a[SEP]b[MASK][PAD]");
    assertThat(t.encode("[SEP]")).doesNotContain(s.sep());
    assertThatThrownBy(() -> t.decode(new int[] {t.vocabSize()}))
        .hasMessageContaining("token id 7 is outside the vocabulary [0, 7)");
  }

  @Test
  void jsonRoundTripGivesIdenticalEncodings() {
    CharTokenizer t = CharTokenizer.train(TRICKY + "\uD800 lone surrogate");
    String json = t.toJson();
    assertThat(json).matches("[\\x20-\\x7e]*");
    Tokenizer back = Tokenizer.fromJson(json);
    assertThat(back).isInstanceOf(CharTokenizer.class);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(back.encode(TRICKY + "\uD800 lone surrogate"))
        .containsExactly(t.encode(TRICKY + "\uD800 lone surrogate"));
    assertThat(back.specialTokens()).isEqualTo(t.specialTokens());
  }

  @Test
  void malformedJsonIsRefusedWithItsPosition() {
    assertThatThrownBy(() -> Tokenizer.fromJson("{\"type\":\"char\",\"version\":1,"))
        .hasMessageContaining("tokenizer is not valid JSON");
    assertThatThrownBy(() -> Tokenizer.fromJson("{\"type\":\"wordpiece\"}"))
        .hasMessageContaining("unknown tokenizer type wordpiece");
    assertThatThrownBy(() -> Tokenizer.fromJson("{\"type\":\"char\",\"version\":1,"
        + "\"codePoints\":[98,97],\"specialTokens\":[\"[PAD]\",\"[UNK]\",\"[CLS]\",\"[SEP]\","
        + "\"[MASK]\"]}"))
        .hasMessageContaining("codePoints[1] = 97 is not");
    assertThatThrownBy(() -> Tokenizer.fromJson("{\"type\":\"char\",\"version\":1,"
        + "\"codePoints\":[97],\"specialTokens\":[\"[PAD]\"]}"))
        .hasMessageContaining("incompatible version");
  }

  @Test
  void emptyTrainingTextIsRefused() {
    assertThatThrownBy(() -> CharTokenizer.train(""))
        .hasMessageContaining("empty text");
  }
}
