package org.sparktrain.driver.data;

/**
 * What a row of prepared data holds, one kind per source, each with what made it: numbers as
 * read, a table's fitted encoding, or token ids with their tokenizer.
 */
public sealed interface Features
    permits Features.Numbers, Features.Table, Features.TokenBlocks, Features.TokenRows {

  /** Values per row as prepared (a token block's blockSize + 1 ids). */
  int width();

  /**
   * Classes the network's output picks from: the labels' classes (0 when labels are values), or
   * for a language model its vocabulary, since every position predicts one token of it.
   */
  int numClasses();

  /** The network's input size: the row width, but token ids of a text classifier one-hot. */
  default int networkInputs() {
    return width();
  }

  /** The tokenizer as model bundles and checkpoints store it: null for data that is not text. */
  default String tokenizerJson() {
    return null;
  }

  /** The table encoding as model bundles and checkpoints store it: null for other data. */
  default String tableEncodingJson() {
    return null;
  }

  /** Rows of numbers read as they are (csv, libsvm, idx files, or data handed in). */
  record Numbers(int width, int numClasses) implements Features {}

  /** A table's rows, encoded by the encoding fitted on its training split. */
  record Table(TableEncoding encoding, int numClasses) implements Features {
    @Override
    public int width() {
      return encoding.width();
    }

    @Override
    public String tableEncodingJson() {
      return encoding.toJson();
    }
  }

  /** Blocks of a text corpus's token ids, for a language model: the vocabulary is its classes. */
  record TokenBlocks(String tokenizerJson, int vocabSize, int width) implements Features {
    @Override
    public int numClasses() {
      return vocabSize;
    }
  }

  /** Labelled texts as rows of token ids ([CLS], text, [PAD]), for a text classifier. */
  record TokenRows(String tokenizerJson, int vocabSize, int width, int numClasses)
      implements Features {
    @Override
    public int networkInputs() {
      return vocabSize;
    }
  }
}
