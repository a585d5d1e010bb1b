package dev.cutover;

import dev.cutover.api.Release;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a Release start a reconcile: what JOSDK's generation-aware processing lets
 * through (a new generation, the deletion, the finalizer missing or just added), and also a
 * change of the abort or retry annotation, which changes no generation. JOSDK can only narrow
 * its own filter with a user's one, so the controller turns generation awareness off and this
 * filter does its work, plus the annotations; status writes (Cutover's own) stay filtered out.
 */
public class ReleaseUpdates implements OnUpdateFilter<Release> {

  /** The finalizer JOSDK puts on a Release (its default name: the controller sets none). */
  static final String FINALIZER = ReconcilerUtils.getDefaultFinalizerName(Release.class);

  @Override
  public boolean accept(Release updated, Release old) {
    Long now = updated.getMetadata().getGeneration();
    Long before = old.getMetadata().getGeneration();
    return now == null || before == null || now > before
        || updated.isMarkedForDeletion() && !old.isMarkedForDeletion()
        || !updated.hasFinalizer(FINALIZER) || !old.hasFinalizer(FINALIZER)
        || changed(updated, old, Release.ABORT_ANNOTATION)
        || changed(updated, old, Release.RETRY_ANNOTATION);
  }

  private static boolean changed(Release updated, Release old, String annotation) {
    return !Objects.equals(value(updated, annotation), value(old, annotation));
  }

  private static String value(Release release, String annotation) {
    Map<String, String> annotations = release.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(annotation);
  }
}
