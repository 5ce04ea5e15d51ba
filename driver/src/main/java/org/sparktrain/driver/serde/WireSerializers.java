package org.sparktrain.driver.serde;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.FeatureStats;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.eval.ClassificationMetrics;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.eval.RegressionMetrics;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.WorkerResult;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.driver.train.sync.StretchResult;

/**
 * Explicit Kryo formats for everything of ours that crosses the wire. Explicit because Java
 * records' final fields cannot be set by Kryo's reflective field serializer, and because large
 * float arrays are written in one bulk call.
 */
final class WireSerializers {
  private WireSerializers() {}

  static final class ParsedRecordSerializer extends Serializer<ParsedRecord> {
    @Override
    public void write(Kryo kryo, Output out, ParsedRecord r) {
      out.writeInt(r.fileIndex());
      out.writeLong(r.line());
      out.writeBoolean(r.isOk());
      if (r.isOk()) {
        KryoArrays.writeFloats(out, r.features());
        out.writeDouble(r.label());
      } else {
        out.writeInt(r.dropReason().ordinal());
        out.writeString(r.detail());
      }
    }

    @Override
    public ParsedRecord read(Kryo kryo, Input in, Class<ParsedRecord> type) {
      int file = in.readInt();
      long line = in.readLong();
      if (in.readBoolean()) {
        return ParsedRecord.ok(file, line, KryoArrays.readFloats(in), in.readDouble());
      }
      return ParsedRecord.bad(file, line, DropReason.values()[in.readInt()], in.readString());
    }
  }

  /** A Scala {@code object}: nothing on the wire, its JVM's one instance when read. */
  static final class ScalaObjectSerializer extends Serializer<Object> {
    private final Object instance;

    ScalaObjectSerializer(Class<?> objectClass) {
      try {
        this.instance = objectClass.getField("MODULE$").get(null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException(objectClass + " is not a Scala object", e);
      }
    }

    @Override
    public void write(Kryo kryo, Output out, Object value) {
      // The class alone says which object it is.
    }

    @Override
    public Object read(Kryo kryo, Input in, Class<Object> type) {
      return instance;
    }
  }

  static final class ExampleBlockSerializer extends Serializer<ExampleBlock> {
    @Override
    public void write(Kryo kryo, Output out, ExampleBlock b) {
      out.writeInt(b.partition());
      out.writeInt(b.rows());
      out.writeInt(b.width());
      KryoArrays.writeFloats(out, b.features());
      KryoArrays.writeFloats(out, b.labels());
      out.writeBoolean(b.softTargets() != null);
      if (b.softTargets() != null) {
        KryoArrays.writeFloats(out, b.softTargets());
      }
    }

    @Override
    public ExampleBlock read(Kryo kryo, Input in, Class<ExampleBlock> type) {
      return new ExampleBlock(in.readInt(), in.readInt(), in.readInt(),
          KryoArrays.readFloats(in), KryoArrays.readFloats(in),
          in.readBoolean() ? KryoArrays.readFloats(in) : null);
    }
  }

  static final class ModelSnapshotSerializer extends Serializer<ModelSnapshot> {
    @Override
    public void write(Kryo kryo, Output out, ModelSnapshot s) {
      KryoArrays.writeFloats(out, s.params());
      out.writeInt(s.optimizerStates().length);
      for (float[] state : s.optimizerStates()) {
        KryoArrays.writeFloats(out, state);
      }
      out.writeLong(s.iteration());
      out.writeInt(s.epoch());
      KryoArrays.writeFloats(out, s.outerMomentum());
    }

    @Override
    public ModelSnapshot read(Kryo kryo, Input in, Class<ModelSnapshot> type) {
      float[] params = KryoArrays.readFloats(in);
      float[][] states = new float[in.readInt()][];
      for (int i = 0; i < states.length; i++) {
        states[i] = KryoArrays.readFloats(in);
      }
      long iteration = in.readLong();
      int epoch = in.readInt();
      return new ModelSnapshot(params, states, iteration, epoch, KryoArrays.readFloats(in));
    }
  }

  static final class StretchResultSerializer extends Serializer<StretchResult> {
    @Override
    public void write(Kryo kryo, Output out, StretchResult r) {
      out.writeInt(r.partition());
      KryoArrays.writeFloats(out, r.params());
      KryoArrays.writeFloats(out, r.state());
      KryoArrays.writeFloats(out, r.outerMomentum());
      out.writeInt(r.rounds().size());
      DataOutputStream data = new DataOutputStream(out);
      try {
        for (StretchResult.RoundFigures f : r.rounds()) {
          f.writeTo(data);
        }
        data.writeInt(r.checkpointFiles().size());
        for (SliceWriter.WrittenFile f : r.checkpointFiles()) {
          data.writeUTF(f.name());
          data.writeLong(f.bytes());
          data.writeUTF(f.crc32c());
        }
        data.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public StretchResult read(Kryo kryo, Input in, Class<StretchResult> type) {
      int partition = in.readInt();
      float[] params = KryoArrays.readFloats(in);
      float[] state = KryoArrays.readFloats(in);
      float[] outerMomentum = KryoArrays.readFloats(in);
      int n = in.readInt();
      List<StretchResult.RoundFigures> rounds = new ArrayList<>(n);
      List<SliceWriter.WrittenFile> files = new ArrayList<>();
      DataInputStream data = new DataInputStream(in);
      try {
        for (int i = 0; i < n; i++) {
          rounds.add(StretchResult.RoundFigures.readFrom(data));
        }
        int fileCount = data.readInt();
        for (int i = 0; i < fileCount; i++) {
          files.add(new SliceWriter.WrittenFile(data.readUTF(), data.readLong(),
              data.readUTF()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new StretchResult(partition, params, state, outerMomentum, rounds, files);
    }
  }

  static final class WorkerResultSerializer extends Serializer<WorkerResult> {
    @Override
    public void write(Kryo kryo, Output out, WorkerResult r) {
      out.writeInt(r.partition());
      KryoArrays.writeFloats(out, r.params());
      KryoArrays.writeFloats(out, r.optimizerState());
      out.writeLong(r.examples());
      out.writeDouble(r.lossSum());
      out.writeInt(r.steps());
      out.writeLong(r.computeNanos());
    }

    @Override
    public WorkerResult read(Kryo kryo, Input in, Class<WorkerResult> type) {
      return new WorkerResult(in.readInt(), KryoArrays.readFloats(in), KryoArrays.readFloats(in),
          in.readLong(), in.readDouble(), in.readInt(), in.readLong());
    }
  }

  static final class FeatureStatsSerializer extends Serializer<FeatureStats> {
    @Override
    public void write(Kryo kryo, Output out, FeatureStats s) {
      out.writeLong(s.count());
      KryoArrays.writeDoubles(out, s.mean());
      KryoArrays.writeDoubles(out, s.m2());
      KryoArrays.writeDoubles(out, s.min());
      KryoArrays.writeDoubles(out, s.max());
    }

    @Override
    public FeatureStats read(Kryo kryo, Input in, Class<FeatureStats> type) {
      return new FeatureStats(in.readLong(), KryoArrays.readDoubles(in),
          KryoArrays.readDoubles(in), KryoArrays.readDoubles(in), KryoArrays.readDoubles(in));
    }
  }

  static final class EvalResultSerializer extends Serializer<EvalResult> {
    @Override
    public void write(Kryo kryo, Output out, EvalResult r) {
      boolean classification = r.classification() != null;
      out.writeBoolean(classification);
      if (classification) {
        out.writeInt(r.classification().numClasses());
        KryoArrays.writeLongs(out, r.classification().counts());
      } else {
        out.writeLong(r.regression().count());
        KryoArrays.writeDoubles(out, r.regression().sums());
      }
    }

    @Override
    public EvalResult read(Kryo kryo, Input in, Class<EvalResult> type) {
      if (in.readBoolean()) {
        return new EvalResult(new ClassificationMetrics(in.readInt(), KryoArrays.readLongs(in)),
            null);
      }
      long count = in.readLong();
      double[] s = KryoArrays.readDoubles(in);
      return new EvalResult(null, new RegressionMetrics(count, s[0], s[1], s[2], s[3]));
    }
  }
}
