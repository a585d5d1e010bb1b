package dev.cutover.bench.micro;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * EC2's answers about an account of many Releases, held in memory and served to the real AWS
 * SDK client as its HTTP layer: a poll then costs what it costs in the operator (signing,
 * parsing EC2's XML, Cutover's own work) without any network. DescribeInstances pages of 1,000
 * with a NextToken, DescribeInstanceStatus for the ids asked (or pages of 1,000 when none are
 * named), DescribeAddresses at once.
 */
final class CannedEc2 implements SdkHttpClient {

  static final int PAGE = 1000;
  private static final String NS = "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"";

  private final List<String> instanceItems = new ArrayList<>();
  private final Map<String, String> statusItems = new LinkedHashMap<>();
  private final List<String> addressItems = new ArrayList<>();
  private final Map<String, Integer> calls = new HashMap<>();
  /** Each answer built once: the benchmark times the client, not the making of answers. */
  private final Map<Map<String, String>, byte[]> answers =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * {@code releases} Releases of {@code perRelease} instances each: an active fleet of half of
   * them (slots 0..) and a retained previous fleet of the other half, every instance running
   * with its status checks ok, one Elastic IP per Release on its active slot 0.
   */
  CannedEc2(int releases, int perRelease) {
    int n = 0;
    for (int r = 0; r < releases; r++) {
      String uid = String.format("5b1c7d2e-0000-4000-8000-%012d", r);
      String key = "shop/app-" + r;
      int half = perRelease / 2;
      for (int i = 0; i < perRelease; i++) {
        boolean active = i < half;
        String id = String.format("i-%017x", 0x1000000L + n++);
        String version = active ? "2.0.0" : "1.0.0";
        int slot = active ? i : i - half;
        instanceItems.add(instance(id, uid, key, active ? "f2a9c01d3e" : "c07b55e81a",
            version, slot, n));
        statusItems.put(id, status(id));
        if (active && slot == 0) {
          addressItems.add(address(r, id, uid, key));
        }
      }
    }
  }

  /** Bytes of EC2's XML for one instance, as served here. */
  int bytesPerInstance() {
    return instanceItems.get(0).getBytes(StandardCharsets.UTF_8).length;
  }

  /** Calls served so far by Action. */
  Map<String, Integer> calls() {
    return Map.copyOf(calls);
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    Map<String, String> form = form(request);
    String action = form.getOrDefault("Action", "");
    calls.merge(action, 1, Integer::sum);
    byte[] body = answers.computeIfAbsent(form, this::answer);
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() {
        return HttpExecuteResponse.builder()
            .response(SdkHttpResponse.builder().statusCode(200)
                .putHeader("Content-Type", "text/xml;charset=UTF-8")
                .putHeader("Content-Length", String.valueOf(body.length)).build())
            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
            .build();
      }

      @Override
      public void abort() {}
    };
  }

  private byte[] answer(Map<String, String> form) {
    String action = form.getOrDefault("Action", "");
    String xml = switch (action) {
      case "DescribeInstances" -> describeInstances(form);
      case "DescribeInstanceStatus" -> describeInstanceStatus(form);
      case "DescribeAddresses" -> "<DescribeAddressesResponse " + NS + "><requestId>r</requestId>"
          + "<addressesSet>" + String.join("", addressItems)
          + "</addressesSet></DescribeAddressesResponse>";
      default -> throw new IllegalArgumentException("not canned: " + action);
    };
    return xml.getBytes(StandardCharsets.UTF_8);
  }

  private String describeInstances(Map<String, String> form) {
    int from = Integer.parseInt(form.getOrDefault("NextToken", "0"));
    int to = Math.min(instanceItems.size(), from + PAGE);
    StringBuilder xml = new StringBuilder("<DescribeInstancesResponse " + NS
        + "><requestId>r</requestId><reservationSet>");
    for (int i = from; i < to; i++) {
      xml.append("<item><reservationId>r-").append(Integer.toHexString(0x100000 + i))
          .append("</reservationId><ownerId>111122223333</ownerId><groupSet/><instancesSet>")
          .append(instanceItems.get(i)).append("</instancesSet></item>");
    }
    xml.append("</reservationSet>");
    if (to < instanceItems.size()) {
      xml.append("<nextToken>").append(to).append("</nextToken>");
    }
    return xml.append("</DescribeInstancesResponse>").toString();
  }

  private String describeInstanceStatus(Map<String, String> form) {
    StringBuilder xml = new StringBuilder("<DescribeInstanceStatusResponse " + NS
        + "><requestId>r</requestId><instanceStatusSet>");
    String next = null;
    if (form.containsKey("InstanceId.1")) {
      for (int i = 1; form.containsKey("InstanceId." + i); i++) {
        String item = statusItems.get(form.get("InstanceId." + i));
        if (item != null) {
          xml.append(item);
        }
      }
    } else {
      List<String> all = new ArrayList<>(statusItems.values());
      int from = Integer.parseInt(form.getOrDefault("NextToken", "0"));
      int to = Math.min(all.size(), from + PAGE);
      all.subList(from, to).forEach(xml::append);
      next = to < all.size() ? String.valueOf(to) : null;
    }
    xml.append("</instanceStatusSet>");
    if (next != null) {
      xml.append("<nextToken>").append(next).append("</nextToken>");
    }
    return xml.append("</DescribeInstanceStatusResponse>").toString();
  }

  private static String instance(String id, String uid, String key, String fleet,
      String version, int slot, int n) {
    String ip = "10.0." + (n / 250 % 250) + "." + (n % 250 + 4);
    String eni = "eni-" + id.substring(2);
    return "<item><instanceId>" + id + "</instanceId><imageId>ami-0123456789abcdef0</imageId>"
        + "<instanceState><code>16</code><name>running</name></instanceState>"
        + "<privateDnsName>ip-" + ip.replace('.', '-') + ".ec2.internal</privateDnsName>"
        + "<dnsName/><reason/><amiLaunchIndex>0</amiLaunchIndex><productCodes/>"
        + "<instanceType>t3.small</instanceType><launchTime>2026-11-27T12:00:00.000Z"
        + "</launchTime><placement><availabilityZone>us-east-1a</availabilityZone>"
        + "<groupName/><tenancy>default</tenancy></placement><monitoring><state>disabled"
        + "</state></monitoring><subnetId>subnet-0123456789abcdef0</subnetId>"
        + "<vpcId>vpc-0123456789abcdef0</vpcId><privateIpAddress>" + ip
        + "</privateIpAddress><sourceDestCheck>true</sourceDestCheck><groupSet><item>"
        + "<groupId>sg-0123456789abcdef0</groupId><groupName>web</groupName></item></groupSet>"
        + "<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType>"
        + "<rootDeviceName>/dev/xvda</rootDeviceName><blockDeviceMapping><item><deviceName>"
        + "/dev/xvda</deviceName><ebs><volumeId>vol-" + id.substring(2) + "</volumeId>"
        + "<status>attached</status><attachTime>2026-11-27T12:00:01.000Z</attachTime>"
        + "<deleteOnTermination>true</deleteOnTermination></ebs></item></blockDeviceMapping>"
        + "<virtualizationType>hvm</virtualizationType><clientToken>cutover-" + fleet + slot
        + "</clientToken><tagSet>"
        + tag("Name", key.substring(key.indexOf('/') + 1) + " " + version)
        + tag("cutover.dev/managed-by", "cutover") + tag("cutover.dev/release-uid", uid)
        + tag("cutover.dev/release", key) + tag("cutover.dev/fleet", fleet)
        + tag("cutover.dev/version", version) + tag("cutover.dev/slot", String.valueOf(slot))
        + tag("team", "web") + "</tagSet><hypervisor>xen</hypervisor><networkInterfaceSet><item>"
        + "<networkInterfaceId>" + eni + "</networkInterfaceId><subnetId>"
        + "subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId>"
        + "<ownerId>111122223333</ownerId><status>in-use</status><privateIpAddress>" + ip
        + "</privateIpAddress><sourceDestCheck>true</sourceDestCheck><groupSet><item><groupId>"
        + "sg-0123456789abcdef0</groupId><groupName>web</groupName></item></groupSet>"
        + "<attachment><attachmentId>eni-attach-" + id.substring(2) + "</attachmentId>"
        + "<deviceIndex>0</deviceIndex><status>attached</status><attachTime>"
        + "2026-11-27T12:00:00.000Z</attachTime><deleteOnTermination>true"
        + "</deleteOnTermination></attachment><privateIpAddressesSet><item><privateIpAddress>"
        + ip + "</privateIpAddress><primary>true</primary></item></privateIpAddressesSet>"
        + "</item></networkInterfaceSet><ebsOptimized>false</ebsOptimized><enaSupport>true"
        + "</enaSupport><metadataOptions><state>applied</state><httpTokens>required"
        + "</httpTokens><httpPutResponseHopLimit>2</httpPutResponseHopLimit><httpEndpoint>"
        + "enabled</httpEndpoint></metadataOptions></item>";
  }

  private static String status(String id) {
    String passed = "<details><item><name>reachability</name><status>passed</status></item>"
        + "</details>";
    return "<item><instanceId>" + id + "</instanceId><availabilityZone>us-east-1a"
        + "</availabilityZone><instanceState><code>16</code><name>running</name></instanceState>"
        + "<systemStatus><status>ok</status>" + passed + "</systemStatus><instanceStatus>"
        + "<status>ok</status>" + passed + "</instanceStatus></item>";
  }

  private static String address(int r, String instanceId, String uid, String key) {
    return "<item><publicIp>198.51." + (r / 250) + "." + (r % 250 + 1) + "</publicIp>"
        + "<allocationId>eipalloc-" + String.format("%017x", r) + "</allocationId>"
        + "<domain>vpc</domain><instanceId>" + instanceId + "</instanceId><associationId>"
        + "eipassoc-" + String.format("%017x", r) + "</associationId><tagSet>"
        + tag("cutover.dev/claimed", "true") + tag("cutover.dev/managed-by", "cutover")
        + tag("cutover.dev/release-uid", uid) + tag("cutover.dev/release", key)
        + "</tagSet></item>";
  }

  private static String tag(String key, String value) {
    return "<item><key>" + key + "</key><value>" + value + "</value></item>";
  }

  private static Map<String, String> form(HttpExecuteRequest request) {
    Map<String, String> form = new HashMap<>();
    String body;
    try {
      body = request.contentStreamProvider().isPresent()
          ? new String(request.contentStreamProvider().get().newStream().readAllBytes(),
              StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String query = request.httpRequest().encodedQueryParameters().orElse("");
    for (String part : (body + "&" + query).split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        form.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  @Override
  public void close() {}
}
