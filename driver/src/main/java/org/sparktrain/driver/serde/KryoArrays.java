package org.sparktrain.driver.serde;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/** Length-prefixed primitive arrays; -1 encodes null. */
final class KryoArrays {
  private KryoArrays() {}

  static void writeFloats(Output out, float[] a) {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(a.length);
    out.writeFloats(a);
  }

  static float[] readFloats(Input in) {
    int n = in.readInt();
    return n < 0 ? null : in.readFloats(n);
  }

  static void writeDoubles(Output out, double[] a) {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(a.length);
    out.writeDoubles(a);
  }

  static double[] readDoubles(Input in) {
    int n = in.readInt();
    return n < 0 ? null : in.readDoubles(n);
  }

  static void writeLongs(Output out, long[] a) {
    out.writeInt(a.length);
    out.writeLongs(a);
  }

  static long[] readLongs(Input in) {
    return in.readLongs(in.readInt());
  }
}
