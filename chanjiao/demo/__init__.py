"""`chanjiao demo`: a realistic month of 鹤壁市 submissions run through the monthly DAG."""
