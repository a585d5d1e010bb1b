package dev.cutover.observe;

import dev.cutover.ec2.ManagedInstance;
import dev.cutover.api.HttpCheck;
import java.net.URI;
import java.util.Optional;

/**
 * Where the HTTP smoke check of an instance is sent. In production: the instance's private (or
 * public) IP with the check's port and path. This is the one seam integration tests replace, to
 * point checks at real local HTTP servers (EC2 emulators give instances no reachable address);
 * the HTTP client, thresholds and timeouts stay the real ones.
 */
@FunctionalInterface
public interface CheckAddresses {

  Optional<URI> uriFor(ManagedInstance instance, HttpCheck check);

  static CheckAddresses instanceIps() {
    return (instance, check) -> {
      // A Preview check is given the instance that holds the preview address, whose public
      // address EC2 reports as that Elastic IP.
      String ip = check.address == HttpCheck.Address.Private || check.address == null
          ? instance.privateIp() : instance.publicIp();
      if (ip == null || ip.isBlank()) {
        return Optional.empty();
      }
      int port = check.portOrDefault();
      String path = check.pathOrDefault();
      return Optional.of(URI.create("http://" + ip + ":" + port + path));
    };
  }
}
