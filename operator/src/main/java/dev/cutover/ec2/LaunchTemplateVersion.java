package dev.cutover.ec2;

/**
 * One version of an EC2 launch template, as DescribeLaunchTemplateVersions shows it: what
 * Cutover needs to name it exactly (id and number) and to judge it (its image and type for an
 * AwsAccount's rules; whether it sets the metadata tokens, so Cutover's IMDSv2 default does not
 * override the template).
 *
 * @param httpTokens the template's MetadataOptions.HttpTokens, or null when it sets none
 */
public record LaunchTemplateVersion(String templateId, String templateName, long number,
    String imageId, String instanceType, String httpTokens) {}
