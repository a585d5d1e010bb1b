package dev.cutover.observe;

import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The EC2 world of one Release: only instances whose tags carry its uid and name (so look-alikes
 * of other Releases, and anything untagged, are never part of it), its Elastic IP, if found, and
 * every address tagged as allocated for it.
 *
 * @param polledAt when the poll it comes from started (null: not from a poll, e.g. a test)
 * @param observingSince when this operator process began to observe EC2 (null: a test)
 * @param addresses every address the Release names that EC2 lists (its Elastic IP, the other
 *     addresses of its roles, its preview address), by allocation id
 * @param launchTemplates the launch template versions its spec names, as EC2 showed them
 * @param metrics the latest measurements of its metric checks
 * @param requests what people asked through the Release's annotations (abort, retry)
 */
public record ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
    Map<String, HttpCheckResult> http, List<ElasticIp> ownedAddresses, Instant polledAt,
    Instant observingSince, Tenancy tenancy, Map<String, ElasticIp> addresses,
    LaunchTemplates launchTemplates, MeasuredMetrics metrics, Requests requests) {

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
      Map<String, HttpCheckResult> http, List<ElasticIp> ownedAddresses, Instant polledAt,
      Instant observingSince, Tenancy tenancy, Map<String, ElasticIp> addresses,
      LaunchTemplates launchTemplates, MeasuredMetrics metrics) {
    this(instances, elasticIp, http, ownedAddresses, polledAt, observingSince, tenancy,
        addresses, launchTemplates, metrics, Requests.NONE);
  }

  /** The same world with what the Release's annotations ask for. */
  public ObservedWorld withRequests(Requests asked) {
    return new ObservedWorld(instances, elasticIp, http, ownedAddresses, polledAt,
        observingSince, tenancy, addresses, launchTemplates, metrics, asked);
  }

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
      Map<String, HttpCheckResult> http, List<ElasticIp> ownedAddresses, Instant polledAt,
      Instant observingSince, Tenancy tenancy, Map<String, ElasticIp> addresses,
      LaunchTemplates launchTemplates) {
    this(instances, elasticIp, http, ownedAddresses, polledAt, observingSince, tenancy,
        addresses, launchTemplates, MeasuredMetrics.NONE);
  }

  /** The same world as a poll started at {@code at} saw it. */
  public ObservedWorld withPolledAt(Instant at) {
    return new ObservedWorld(instances, elasticIp, http, ownedAddresses, at, observingSince,
        tenancy, addresses, launchTemplates, metrics, requests);
  }

  /** The same world with the latest measurements of the Release's metric checks. */
  public ObservedWorld withMetrics(MeasuredMetrics measured) {
    return new ObservedWorld(instances, elasticIp, http, ownedAddresses, polledAt,
        observingSince, tenancy, addresses, launchTemplates, measured, requests);
  }

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
      Map<String, HttpCheckResult> http, List<ElasticIp> ownedAddresses, Instant polledAt,
      Instant observingSince, Tenancy tenancy, Map<String, ElasticIp> addresses) {
    this(instances, elasticIp, http, ownedAddresses, polledAt, observingSince, tenancy,
        addresses, LaunchTemplates.NONE);
  }

  /** The same world with the launch template versions the Release names. */
  public ObservedWorld withLaunchTemplates(LaunchTemplates looked) {
    return new ObservedWorld(instances, elasticIp, http, ownedAddresses, polledAt,
        observingSince, tenancy, addresses, looked, metrics, requests);
  }

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
      Map<String, HttpCheckResult> http, List<ElasticIp> ownedAddresses, Instant polledAt,
      Instant observingSince, Tenancy tenancy) {
    this(instances, elasticIp, http, ownedAddresses, polledAt, observingSince, tenancy,
        elasticIp.map(a -> Map.of(a.allocationId(), a)).orElse(Map.of()));
  }

  /** The same world with the other addresses the Release names, by allocation id. */
  public ObservedWorld withAddresses(Map<String, ElasticIp> named) {
    Map<String, ElasticIp> all = new LinkedHashMap<>(named);
    elasticIp.ifPresent(a -> all.put(a.allocationId(), a));
    return new ObservedWorld(instances, elasticIp, http, ownedAddresses, polledAt,
        observingSince, tenancy, Map.copyOf(all), launchTemplates, metrics, requests);
  }

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
      Map<String, HttpCheckResult> http, List<ElasticIp> ownedAddresses, Instant polledAt,
      Instant observingSince) {
    this(instances, elasticIp, http, ownedAddresses, polledAt, observingSince, Tenancy.none());
  }

  /** The same world with what the cluster's AwsAccounts allow for its Release. */
  public ObservedWorld withTenancy(Tenancy observed) {
    return new ObservedWorld(instances, elasticIp, http, ownedAddresses, polledAt,
        observingSince, observed, addresses, launchTemplates, metrics, requests);
  }

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp) {
    this(instances, elasticIp, Map.of(), List.of(), null, null);
  }

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
      Map<String, HttpCheckResult> http) {
    this(instances, elasticIp, http, List.of(), null, null);
  }

  public ObservedWorld(List<ManagedInstance> instances, Optional<ElasticIp> elasticIp,
      Map<String, HttpCheckResult> http, List<ElasticIp> ownedAddresses) {
    this(instances, elasticIp, http, ownedAddresses, null, null);
  }

  /** Whether the poll this world comes from started at or after {@code at}. */
  public boolean polledSince(Instant at) {
    return polledAt == null || !polledAt.isBefore(at);
  }

  public static ObservedWorld empty() {
    return new ObservedWorld(List.of(), Optional.empty());
  }

  /** The same world with the HTTP check results of its instances. */
  public ObservedWorld withHttp(Map<String, HttpCheckResult> results) {
    return new ObservedWorld(instances, elasticIp, Map.copyOf(results), ownedAddresses,
        polledAt, observingSince, tenancy, addresses, launchTemplates, metrics, requests);
  }

  public HttpCheckResult http(String instanceId) {
    return http.getOrDefault(instanceId, HttpCheckResult.NOT_YET);
  }

  /** Fleets by id, including fleets whose instances are all terminated. */
  public Map<String, Fleet> fleets() {
    Map<String, List<ManagedInstance>> byFleet = instances.stream()
        .collect(Collectors.groupingBy(ManagedInstance::fleetId, LinkedHashMap::new,
            Collectors.toList()));
    Map<String, Fleet> fleets = new LinkedHashMap<>();
    byFleet.forEach((id, members) -> fleets.put(id, new Fleet(id, members.get(0).version(),
        members)));
    return fleets;
  }

  public Optional<ManagedInstance> instance(String id) {
    return instances.stream().filter(i -> i.id().equals(id)).findFirst();
  }

  public boolean owns(Collection<String> instanceIds) {
    return instanceIds.stream().allMatch(id -> instance(id).isPresent());
  }
}
