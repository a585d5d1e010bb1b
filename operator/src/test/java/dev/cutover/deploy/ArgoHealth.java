package dev.cutover.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** Runs deploy/argocd/release-health.lua the way Argo CD does: {@code obj} in, {status, message} out. */
final class ArgoHealth {

  static final Path SCRIPT = Path.of("..", "deploy", "argocd", "release-health.lua");

  private ArgoHealth() {}

  /** {"status": ..., "message": ...} for a Release (any object Jackson can serialize). */
  static Map<String, String> of(Object release) {
    try {
      Globals lua = JsePlatform.standardGlobals();
      lua.set("obj", toLua(Serialization.jsonMapper().valueToTree(release)));
      LuaValue result = lua.load(Files.readString(SCRIPT), "release-health.lua").call();
      return Map.of("status", result.get("status").tojstring(),
          "message", result.get("message").tojstring());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      node.fields().forEachRemaining(e -> table.set(e.getKey(), toLua(e.getValue())));
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.valueOf(node.asText());
  }
}
