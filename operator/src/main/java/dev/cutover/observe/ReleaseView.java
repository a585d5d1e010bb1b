package dev.cutover.observe;

import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import java.util.Set;

/**
 * What the poller hands to JOSDK for one Release: when it differs from the previous poll's, the
 * Release is reconciled.
 */
public record ReleaseView(String releaseKey, Set<ManagedInstance> instances,
    Set<ElasticIp> addresses) {}
