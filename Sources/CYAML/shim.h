#ifndef SLIPWAY_CYAML_SHIM_H
#define SLIPWAY_CYAML_SHIM_H
#include <yaml.h>
#include <stddef.h>

/*
 * Typed accessors for the members of yaml_event_t's anonymous union, so that Swift code reads
 * one field per call instead of reaching through `data.scalar`, `data.alias`, ... and picking the
 * right member for each event type. Each returns NULL/0 when the event has no such field.
 * libyaml event reference: https://pyyaml.org/wiki/LibYAML
 */

/** The anchor (`&name`) of a scalar, sequence or mapping, or the name an alias (`*name`) refers to. */
static inline const yaml_char_t *slipway_yaml_event_anchor(const yaml_event_t *event) {
    switch (event->type) {
    case YAML_ALIAS_EVENT: return event->data.alias.anchor;
    case YAML_SCALAR_EVENT: return event->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT: return event->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT: return event->data.mapping_start.anchor;
    default: return NULL;
    }
}

/** The explicit tag of a node (handles such as `!!` already expanded), or NULL. */
static inline const yaml_char_t *slipway_yaml_event_tag(const yaml_event_t *event) {
    switch (event->type) {
    case YAML_SCALAR_EVENT: return event->data.scalar.tag;
    case YAML_SEQUENCE_START_EVENT: return event->data.sequence_start.tag;
    case YAML_MAPPING_START_EVENT: return event->data.mapping_start.tag;
    default: return NULL;
    }
}

/** The bytes of a scalar's value (UTF-8, already validated by libyaml's reader). */
static inline const yaml_char_t *slipway_yaml_scalar_value(const yaml_event_t *event) {
    return event->type == YAML_SCALAR_EVENT ? event->data.scalar.value : NULL;
}

/** The length in bytes of a scalar's value. */
static inline size_t slipway_yaml_scalar_length(const yaml_event_t *event) {
    return event->type == YAML_SCALAR_EVENT ? event->data.scalar.length : 0;
}

/** How a scalar was written: plain, quoted or block. */
static inline yaml_scalar_style_t slipway_yaml_scalar_style(const yaml_event_t *event) {
    return event->type == YAML_SCALAR_EVENT ? event->data.scalar.style : YAML_ANY_SCALAR_STYLE;
}

#endif
