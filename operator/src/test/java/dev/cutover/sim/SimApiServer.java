package dev.cutover.sim;

import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The Kubernetes API server as far as one Release is concerned: the stored object, whose spec
 * changes bump metadata.generation; each reconcile reads a deep copy (as from an informer
 * cache); status writes replace the status whole (server-side apply of the status subresource);
 * deletion sets deletionTimestamp and the object goes once the finalizer is removed.
 */
final class SimApiServer {

  private Release stored;

  SimApiServer(Release release) {
    this.stored = copy(release);
  }

  /** What a reconcile is handed: a deep copy, or null once the Release is gone. */
  Release read() {
    if (stored == null) {
      return null;
    }
    Release copy = DeepCopy.of(stored);
    if (copy.getStatus() == null) {
      // What fabric8 makes of an object without status (Release.initStatus()).
      copy.setStatus(new ReleaseStatus());
    }
    return copy;
  }

  boolean gone() {
    return stored == null;
  }

  boolean deleting() {
    return stored != null && stored.isMarkedForDeletion();
  }

  long generation() {
    return stored == null ? 0 : stored.getMetadata().getGeneration();
  }

  ReleaseSpec spec() {
    return stored.getSpec();
  }

  ReleaseStatus status() {
    return stored == null ? null : stored.getStatus();
  }

  /**
   * Changes the spec as a user (or GitOps) would; the API server bumps the generation.
   * Returns the reason the change is rejected by validation, or null.
   */
  String changeSpec(Consumer<ReleaseSpec> change) {
    Release next = copy(stored);
    change.accept(next.getSpec());
    String invalid = validate(next.getSpec());
    if (invalid != null) {
      return invalid;
    }
    if (!Serialization.asJson(next.getSpec()).equals(Serialization.asJson(stored.getSpec()))) {
      next.getMetadata().setGeneration(stored.getMetadata().getGeneration() + 1);
      next.setStatus(stored.getStatus());
      stored = next;
    }
    return null;
  }

  /**
   * Stores the status object itself: the pass keeps no reference to what it returns, and every
   * read is a deep copy.
   */
  void writeStatus(ReleaseStatus status) {
    stored.setStatus(status);
  }

  /** Sets (or, with null, removes) an annotation: metadata only, the generation stays. */
  void annotate(String key, String value) {
    Release next = copy(stored);
    java.util.Map<String, String> annotations = new java.util.LinkedHashMap<>(
        next.getMetadata().getAnnotations() == null ? java.util.Map.of()
            : next.getMetadata().getAnnotations());
    if (value == null) {
      annotations.remove(key);
    } else {
      annotations.put(key, value);
    }
    next.getMetadata().setAnnotations(annotations);
    next.setStatus(stored.getStatus());
    stored = next;
  }

  String annotation(String key) {
    return stored == null || stored.getMetadata().getAnnotations() == null ? null
        : stored.getMetadata().getAnnotations().get(key);
  }

  /** A backup restored without its status (Velero), or a status someone cleared. */
  void wipeStatus() {
    stored.setStatus(null);
  }

  void markDeleted(Instant at) {
    if (stored.getMetadata().getDeletionTimestamp() == null) {
      stored.getMetadata().setDeletionTimestamp(at.toString());
    }
  }

  /** The finalizer was removed: the object is gone. */
  void remove() {
    stored = null;
  }

  /** The CEL rules of the CRD that spec changes in a simulation can break. */
  static String validate(ReleaseSpec spec) {
    String invalid = spec.roles == null ? validateSingle(spec) : validateRoles(spec);
    if (invalid != null) {
      return invalid;
    }
    if (spec.preview != null && spec.layout().stream().flatMap(r -> r.addresses().stream())
        .anyMatch(a -> a.allocationId != null
            && a.allocationId.equals(spec.preview.allocationId))) {
      return "preview must be another Elastic IP than production's";
    }
    if (spec.promotion != null && spec.promotion.mode != dev.cutover.api.Promotion.Mode.Manual
        && spec.promotion.approvedVersion != null && !spec.promotion.approvedVersion.isEmpty()) {
      return "promotion.approvedVersion is only used with promotion.mode: Manual";
    }
    if (spec.promotion != null && spec.promotion.mode != dev.cutover.api.Promotion.Mode.Manual
        && spec.promotion.approvalTimeout != null) {
      return "promotion.approvalTimeout is only used with promotion.mode: Manual";
    }
    return null;
  }

  private static String validateSingle(ReleaseSpec spec) {
    if (spec.fleetSize == null || spec.fleetSize < 1) {
      return "fleetSize must be at least 1";
    }
    if (spec.retention != null && spec.retention.previousFleetSize != null
        && spec.retention.previousFleetSize > spec.fleetSize) {
      return "retention.previousFleetSize cannot be larger than fleetSize";
    }
    boolean hasId = spec.elasticIp.allocationId != null;
    boolean allocate = Boolean.TRUE.equals(spec.elasticIp.allocate);
    if (hasId == allocate) {
      return "set exactly one of elasticIp.allocationId or elasticIp.allocate: true";
    }
    return null;
  }

  /** The rules of a system of roles (ReleaseSpec.roles, RoleSpec). */
  private static String validateRoles(ReleaseSpec spec) {
    if (spec.roles.isEmpty()) {
      return "roles must list at least one role";
    }
    if (spec.fleetSize != null || spec.template != null || spec.elasticIp != null) {
      return "roles cannot be combined with fleetSize, template or elasticIp";
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    java.util.Set<String> addresses = new java.util.HashSet<>();
    boolean anyAddress = false;
    for (dev.cutover.api.RoleSpec r : spec.roles) {
      if (!names.add(r.name)) {
        return "role names must be unique";
      }
      if (r.size == null || r.size < 1 || r.template == null) {
        return "role " + r.name + " needs a size of at least 1 and a template";
      }
      java.util.List<dev.cutover.api.ElasticIpSpec> ips =
          r.elasticIps == null ? java.util.List.of() : r.elasticIps;
      if (ips.size() > r.size) {
        return "a role cannot have more elasticIps than instances";
      }
      for (dev.cutover.api.ElasticIpSpec a : ips) {
        anyAddress = true;
        if (a.allocationId == null) {
          return "the elasticIps of a role name addresses you own (allocationId)";
        }
        if (!addresses.add(a.allocationId)) {
          return "an Elastic IP can serve only one slot";
        }
      }
    }
    return anyAddress ? null : "at least one role needs elasticIps";
  }

  static <T> T copy(T object) {
    return object == null ? null : DeepCopy.of(object);
  }
}
