#pragma once
// The topic-key vocabulary of record.h: what a question must be about for
// the simulator to reveal a fact.
#include <string>
#include <vector>

namespace clinrl::records {

// Plain keys without a subject ("onset", "pmh", ...).
const std::vector<std::string>& plain_topics();
// Subjects allowed after "social:".
const std::vector<std::string>& social_topics();
// Prefixes that take a free subject: "symptom:", "ros:", "vital:", "exam:", "test:".
const std::vector<std::string>& subject_prefixes();

// "" when `topic` is well formed, else why not ("unknown topic 'onsett'
// (did you mean 'onset'?)", "subject must be lower case with single spaces").
std::string topic_problem(const std::string& topic);
inline bool is_valid_topic(const std::string& topic) { return topic_problem(topic).empty(); }

// The measurement channel a category belongs to: "vital:" for vital_sign,
// "exam:" for exam, "test:" for test, "" for history categories.
std::string measurement_prefix(const std::string& category);
// vital_sign, exam and test: facts only the measurement channel reveals.
inline bool is_measurement_category(const std::string& category) { return !measurement_prefix(category).empty(); }

// A subject is lower case, non-empty, single-spaced, without '_' or ':' .
bool is_normalised_subject(const std::string& subject);

}  // namespace clinrl::records
