package dev.cutover.decide;

/**
 * The answers the conditions are made of. {@code reason} is one CamelCase word, {@code message}
 * a sentence.
 *
 * @param ready the desired version serves production at full size
 * @param progressing a new fleet is on its way (launching, verifying, awaiting promotion)
 * @param stalled nothing more will happen until the spec (or the world) changes
 * @param available production is served: the Elastic IP points at a running active instance
 */
public record Health(boolean ready, boolean progressing, boolean stalled, boolean available,
    String reason, String message) {}
